using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchboard.Client.Internal;
using Switchboard.Protocol;

namespace Switchboard.Client;

// Commands and subscriptions: sending, the offline buffer, results.
public sealed partial class SwitchboardClient
{
    /// <summary>Sends a command now, or buffers it while offline, and waits for its result body.</summary>
    private async Task<JsonElement> ExecuteAsync(PendingCommand command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Enqueue(command);
        try
        {
            return await command.Completion.Task.WaitAsync(timeout ?? _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Forget(command);
            throw;
        }
    }

    private void Enqueue(PendingCommand command)
    {
        PendingCommand? dropped = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { } connection)
            {
                _pending.Add(command.Id, command);
                if (connection.Send(command.Payload))
                {
                    command.Sent = true;
                }
                else
                {
                    // The connection is closing: the command was not sent, so it waits (even an rpc) for the next one.
                    command.OfflineNode = _offline.AddLast(command);
                }

                return;
            }

            if (_offline.Count >= _options.OfflineBufferSize)
            {
                if (_options.OfflineBufferOverflow == OfflineBufferOverflow.Reject || _offline.Count == 0)
                {
                    throw new SwitchboardBufferFullException($"the offline buffer is full ({_options.OfflineBufferSize} commands)");
                }

                dropped = _options.OfflineBufferOverflow == OfflineBufferOverflow.DropOldest ? _offline.First!.Value : _offline.Last!.Value;
                _offline.Remove(dropped.OfflineNode!);
                dropped.OfflineNode = null;
                _pending.Remove(dropped.Id);
            }

            _pending.Add(command.Id, command);
            command.OfflineNode = _offline.AddLast(command);
        }

        dropped?.Completion.TrySetException(new SwitchboardBufferFullException($"dropped from the full offline buffer ({_options.OfflineBufferSize} commands)"));
    }

    /// <summary>Stops tracking a command that timed out or was cancelled. A late result for it is ignored.</summary>
    private void Forget(PendingCommand command)
    {
        lock (_gate)
        {
            _pending.Remove(command.Id);
            if (command.OfflineNode is { } node)
            {
                _offline.Remove(node);
                command.OfflineNode = null;
            }
        }
    }

    /// <summary>Takes the command a <c>result</c> answers, if it is still waiting.</summary>
    private PendingCommand? TakePending(long id)
    {
        lock (_gate)
        {
            return _pending.Remove(id, out var command) ? command : null;
        }
    }

    private async Task<TypedSubscription<T>> AddSubscriptionAsync<T>(string channel, JsonTypeInfo<T> typeInfo, SubscribeOptions? options, CancellationToken cancellationToken)
    {
        ValidateChannel(channel, allowWildcards: true);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var isWildcard = channel.Contains('*', StringComparison.Ordinal) || channel.Contains('>', StringComparison.Ordinal);
        var subscription = new TypedSubscription<T>(this, channel, isWildcard, options, typeInfo, _options.SubscriptionBufferSize, _logger);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_subscriptions.TryAdd(channel, subscription))
            {
                throw new InvalidOperationException($"this client is already subscribed to '{channel}'");
            }

            if (_connection is { } connection)
            {
                SendSubscribe(connection, subscription);
            }
        }

        try
        {
            await subscription.FirstSubscribed.Task.WaitAsync(_options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await RemoveSubscriptionAsync(subscription).ConfigureAwait(false);
            throw;
        }

        return subscription;
    }

    /// <summary>Sends subscribe for <paramref name="subscription"/> on <paramref name="connection"/>. Called under the lock.</summary>
    private void SendSubscribe(ClientConnection connection, Subscription subscription)
    {
        var id = NextId();
        var since = subscription.SinceForSubscribe();
        var command = new PendingCommand(id, "subscribe", CommandEncoder.Subscribe(id, subscription.Channel, since, subscription.WantsPresence), ResendPolicy.Forget)
        {
            OnResult = result => OnSubscribeResultAsync(subscription, result, since is not null),
        };
        _pending.Add(id, command);
        command.Sent = true;
        connection.Send(command.Payload);
    }

    private async ValueTask OnSubscribeResultAsync(Subscription subscription, JsonElement message, bool sentSince)
    {
        if (message.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True)
        {
            var result = message.TryGetProperty("result", out var r) ? r : default;
            await subscription.OnSubscribedAsync(result, sentSince).ConfigureAwait(false);
            if (subscription.Recovered == false)
            {
                Log.NotRecovered(_logger, subscription.Channel);
            }

            subscription.FirstSubscribed.TrySetResult();
            return;
        }

        var error = ReadError(message);
        if (subscription.EverSubscribed)
        {
            Log.ResubscribeFailed(_logger, subscription.Channel, error.Code, error.ServerMessage);
        }

        lock (_gate)
        {
            if (_subscriptions.TryGetValue(subscription.Channel, out var current) && current == subscription)
            {
                _subscriptions.Remove(subscription.Channel);
            }
        }

        subscription.Complete(error);
    }

    /// <summary>Unsubscribes: forgets the subscription here and tells the server when connected.</summary>
    internal ValueTask RemoveSubscriptionAsync(Subscription subscription)
    {
        lock (_gate)
        {
            if (_subscriptions.TryGetValue(subscription.Channel, out var current) && current == subscription)
            {
                _subscriptions.Remove(subscription.Channel);

                // Without an id: there is nothing to wait for. Sent after the subscribe on this connection (one
                // connection's commands run in order), so it also undoes a subscribe still in flight.
                _connection?.Send(CommandEncoder.Unsubscribe(subscription.Channel));
            }
        }

        subscription.Complete(null);
        return ValueTask.CompletedTask;
    }

    private static SwitchboardCommandException ReadError(JsonElement message)
    {
        if (message.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            return new SwitchboardCommandException(
                error.TryGetProperty("code", out var code) ? code.GetString() ?? ErrorCodes.Internal : ErrorCodes.Internal,
                error.TryGetProperty("message", out var text) ? text.GetString() ?? "" : "");
        }

        return new SwitchboardCommandException(ErrorCodes.Internal, "the server's result had no error");
    }
}
