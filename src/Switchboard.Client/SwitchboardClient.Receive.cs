using System.Text.Json;
using Switchboard.Client.Internal;
using Switchboard.Protocol;

namespace Switchboard.Client;

// The receive side: every server message, in order, on the connection's receive loop.
public sealed partial class SwitchboardClient
{
    private async ValueTask OnMessageAsync(ClientConnection connection, ReadOnlyMemory<byte> frame)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame);
        }
        catch (JsonException ex)
        {
            Log.InvalidMessage(_logger, ex);
            return;
        }

        using (document)
        {
            var message = document.RootElement;
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                return;
            }

            switch (typeElement.GetString())
            {
                case "message":
                    await RouteAsync(message).ConfigureAwait(false);
                    break;
                case "result":
                    await OnResultAsync(message).ConfigureAwait(false);
                    break;
                case "ping":
                    connection.Send(CommandEncoder.Pong);
                    break;
                case "welcome":
                    ClientId = message.TryGetProperty("client", out var client) ? client.GetString() : null;
                    User = message.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.String ? user.GetString() : null;
                    var ping = message.TryGetProperty("ping", out var p) && p.TryGetInt32(out var seconds) && seconds > 0 ? seconds : 25;
                    connection.OnWelcome(TimeSpan.FromSeconds(ping));
                    break;
                case "auth_required":
                    // The token normally travels in the upgrade request; a server that still asks gets it here.
                    if (connection.Token is { } token)
                    {
                        connection.Send(CommandEncoder.Auth(token));
                    }

                    break;
                case "join" or "leave":
                    OnPresenceEvent(message, typeElement.ValueEquals("join"));
                    break;
                case "unsubscribe":
                    OnGapNotice(connection, message);
                    break;
                case "token_expiring":
                    _ = RefreshTokenAsync(connection);
                    break;
                case "error":
                    var code = message.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";
                    if (code != ErrorCodes.NotSubscribed) // The answer to unsubscribing after a subscribe that failed.
                    {
                        Log.ServerError(_logger, code, message.TryGetProperty("message", out var text) ? text.GetString() ?? "" : "");
                    }

                    break;
                default:
                    // pong, auth_ok and types added later: nothing to do (forward compatible).
                    break;
            }
        }
    }

    private async ValueTask RouteAsync(JsonElement message)
    {
        if (!message.TryGetProperty("channel", out var channelElement) || channelElement.GetString() is not { } channel)
        {
            return;
        }

        Subscription? exact;
        List<Subscription>? patterns = null;
        lock (_gate)
        {
            _subscriptions.TryGetValue(channel, out exact);
            if (_subscriptions.Count > 1 || exact is null)
            {
                foreach (var subscription in _subscriptions.Values)
                {
                    if (subscription.Pattern is { } pattern && pattern.Matches(channel))
                    {
                        (patterns ??= []).Add(subscription);
                    }
                }
            }
        }

        if (exact is not null)
        {
            await exact.OnPublicationAsync(message).ConfigureAwait(false);
        }

        if (patterns is not null)
        {
            foreach (var subscription in patterns)
            {
                await subscription.OnPublicationAsync(message).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The server could not continue a subscription's stream without a hole (docs/protocol.md, "Gaps"): subscribe again
    /// with since = the last position delivered. The result recovers what was missed, or says it cannot, and then the
    /// next publication has <see cref="Publication{T}.FollowsGap"/> set.
    /// </summary>
    private void OnGapNotice(ClientConnection connection, JsonElement message)
    {
        if (!message.TryGetProperty("resubscribe", out var resubscribe) || resubscribe.ValueKind != JsonValueKind.True
            || !message.TryGetProperty("channel", out var channelElement) || channelElement.GetString() is not { } channel)
        {
            return;
        }

        lock (_gate)
        {
            if (_subscriptions.TryGetValue(channel, out var subscription) && subscription.EverSubscribed && _connection == connection)
            {
                Log.GapNotice(_logger, channel);
                SendSubscribe(connection, subscription);
            }
        }
    }

    private void OnPresenceEvent(JsonElement message, bool joined)
    {
        if (!message.TryGetProperty("channel", out var channelElement) || channelElement.GetString() is not { } channel)
        {
            return;
        }

        Subscription? subscription;
        lock (_gate)
        {
            _subscriptions.TryGetValue(channel, out subscription);
        }

        if (subscription is null)
        {
            return;
        }

        var client = new PresenceClient(
            message.TryGetProperty("client", out var c) ? c.GetString() ?? "" : "",
            message.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null,
            message.TryGetProperty("info", out var info) ? info.Clone() : default);
        subscription.OnPresence(joined, client);
    }

    private async ValueTask OnResultAsync(JsonElement message)
    {
        if (!message.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id) || TakePending(id) is not { } command)
        {
            return; // Timed out or cancelled meanwhile.
        }

        if (command.OnResult is { } onResult)
        {
            await onResult(message).ConfigureAwait(false);
            return;
        }

        if (message.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True)
        {
            command.Completion.TrySetResult(message.TryGetProperty("result", out var result) ? result.Clone() : default);
        }
        else
        {
            command.Completion.TrySetException(ReadError(message));
        }
    }

    private async Task RefreshTokenAsync(ClientConnection connection)
    {
        if (_options.TokenProvider is not { } provider)
        {
            Log.NoTokenProvider(_logger);
            return;
        }

        Log.RefreshingToken(_logger);
        try
        {
            var token = await provider(CancellationToken.None).ConfigureAwait(false);
            if (token is null)
            {
                return;
            }

            if (token == connection.Token)
            {
                // A provider that caches its token until it expires: sending it back changes nothing, and the server
                // would take it as a new token and warn again on every check until exp (a refresh storm).
                Log.SameTokenNotRefreshed(_logger);
                return;
            }

            var id = NextId();
            var command = new PendingCommand(id, "refresh", CommandEncoder.Refresh(id, token), ResendPolicy.Forget);
            await ExecuteAsync(command, null, CancellationToken.None).ConfigureAwait(false);
            connection.Token = token;
        }
        catch (Exception ex)
        {
            // Without a refresh the server closes with 4001, and the reconnect asks the provider again.
            Log.RefreshFailed(_logger, ex);
        }
    }
}
