using System.Text.Json;
using Switchboard.Client.Internal;
using Switchboard.Protocol;

namespace Switchboard.Client;

// The receive side: every server message, in order, on the connection's receive loop, decoded by the protocol library
// and handed to the part that owns it (command results to the tracker, publications and presence to the subscriptions).
public sealed partial class SwitchboardClient
{
    private async ValueTask OnMessageAsync(ClientConnection connection, ReadOnlyMemory<byte> frame)
    {
        if (ServerMessageReader.Read(frame.Span) is not { } message)
        {
            Log.InvalidMessage(_logger);
            return;
        }

        switch (message.Type)
        {
            case ServerMessageType.Message:
                await _subscriptions.RouteAsync(message.Publication!).ConfigureAwait(false);
                break;
            case ServerMessageType.Result:
                await OnResultAsync(message).ConfigureAwait(false);
                break;
            case ServerMessageType.Ping:
                connection.Send(CommandWriter.Pong);
                break;
            case ServerMessageType.Welcome:
                ClientId = message.Client;
                User = message.User;
                WelcomeData = message.Data.IsEmpty ? null : JsonElement.Parse(message.Data.Span);
                connection.OnWelcome(TimeSpan.FromSeconds(message.PingSeconds > 0 ? message.PingSeconds : 25), message.CommandsPerSecond, message.CommandBurst);
                break;
            case ServerMessageType.AuthRequired when connection.Token is { } token:
                // The token normally travels in the upgrade request; a server that still asks gets it here.
                connection.Send(ClientCommands.Auth(token));
                break;
            case ServerMessageType.Join or ServerMessageType.Leave when message.Channel is { } channel:
                _subscriptions.OnPresence(channel, message.Type == ServerMessageType.Join, message.Member!);
                break;
            case ServerMessageType.Unsubscribe when message.Resubscribe && message.Channel is { } channel:
                _subscriptions.OnGapNotice(connection, channel);
                break;
            case ServerMessageType.TokenExpiring:
                _ = RefreshTokenAsync(connection);
                break;
            case ServerMessageType.Error when message.Error!.Code != ErrorCodes.NotSubscribed: // The answer to unsubscribing after a subscribe that failed.
                Log.ServerError(_logger, message.Error.Code, message.Error.Message);
                break;
            default:
                // pong, auth_ok and types added later: nothing to do (forward compatible).
                break;
        }
    }

    /// <summary>The wait before resending a command refused with <c>rate_limited</c> that carries no <c>retry_after_ms</c>.</summary>
    private const int DefaultRetryAfterMs = 100;

    /// <summary>The longest wait taken from a <c>retry_after_ms</c> hint, whatever the server says.</summary>
    private const int MaxRetryAfterMs = 10_000;

    private async ValueTask OnResultAsync(ServerMessage message)
    {
        if (message.Id is not { Text: null } id || _commands.Take(id.Number) is not { } command)
        {
            return; // Timed out or cancelled meanwhile (this client's ids are numbers).
        }

        if (!message.Success && message.Error is { Code: ErrorCodes.RateLimited } limited)
        {
            // Not executed (the server refuses before it runs anything), so sending the very same command again is
            // safe for every kind, rpc included; a publish keeps its idempotency key.
            var delay = TimeSpan.FromMilliseconds(Math.Clamp(limited.RetryAfterMs ?? DefaultRetryAfterMs, 1, MaxRetryAfterMs));
            Log.RateLimited(_logger, command.Type, (long)delay.TotalMilliseconds);
            _commands.RetryAfter(command, delay);
            return;
        }

        if (command.OnResult is { } onResult)
        {
            await onResult(message).ConfigureAwait(false);
        }
        else if (message.Success)
        {
            command.Completion.TrySetResult(message.Result);
        }
        else
        {
            command.Completion.TrySetException(SubscriptionSet.CommandError(message));
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

            var id = _commands.NextId();
            var command = new PendingCommand(id, "refresh", ClientCommands.Refresh(id, token), ResendPolicy.Forget);
            await ExecuteAsync(command, null, CancellationToken.None).ConfigureAwait(false);
            connection.Token = token;
        }
        catch (Exception ex)
        {
            // Without a refresh the server closes with 4001, and the reconnect asks the provider again.
            Log.RefreshFailed(_logger, ex);
        }
    }

    /// <summary>The connection loop's reports, wired to the tracker and the subscription set.</summary>
    private sealed class Events(SwitchboardClient client) : IConnectionEvents
    {
        public ValueTask OnMessageAsync(ClientConnection connection, ReadOnlyMemory<byte> frame) => client.OnMessageAsync(connection, frame);

        public void OnConnected(ClientConnection connection)
        {
            Log.Connected(client._logger, client._options.Url!, client.ClientId ?? "", connection.Generation);

            // Subscriptions first, so that buffered publishes to a subscribed channel come after its recovered history.
            client._subscriptions.OnConnected(connection);
            client._commands.OnConnected(connection);
        }

        public void OnConnectionLost(DisconnectInfo disconnect)
        {
            client._subscriptions.OnDisconnected();
            client._commands.OnConnectionLost(disconnect);
        }

        public void OnStopped(DisconnectInfo? disconnect)
        {
            client._subscriptions.OnDisconnected();
            client._commands.FailAll(disconnect);
        }
    }
}
