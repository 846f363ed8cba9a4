using Microsoft.Extensions.Logging;
using Switchboard.Protocol;

namespace Switchboard.Client.Internal;

/// <summary>
/// The client's subscriptions, by channel or pattern as subscribed: it subscribes each one on every new connection
/// (with <c>since</c>, so the server recovers what was missed), handles the subscribe results in order with the
/// messages after them, and routes each publication to the subscriptions it belongs to (the exact channel, then the
/// patterns that match it). The recovery state itself (position, gap) lives in each <see cref="Subscription"/>.
/// </summary>
/// <remarks>Thread safety: every member may be called from many threads; one lock guards the table and the current
/// connection, so a subscription added while a connection comes up is subscribed exactly once.</remarks>
internal sealed class SubscriptionSet
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Subscription> _byChannel = new(StringComparer.Ordinal);
    private readonly CommandTracker _commands;
    private readonly ILogger _logger;
    private IFrameSink? _sink;
    private int _patterns;

    public SubscriptionSet(CommandTracker commands, ILogger logger)
    {
        _commands = commands;
        _logger = logger;
    }

    /// <summary>Adds a subscription and subscribes it now when connected (otherwise on the next connection).</summary>
    /// <exception cref="InvalidOperationException">There is already a subscription to its channel.</exception>
    public void Add(Subscription subscription)
    {
        lock (_gate)
        {
            if (!_byChannel.TryAdd(subscription.Channel, subscription))
            {
                throw new InvalidOperationException($"this client is already subscribed to '{subscription.Channel}'");
            }

            _patterns += subscription.IsWildcard ? 1 : 0;
            if (_sink is { } sink)
            {
                SendSubscribe(sink, subscription);
            }
        }
    }

    /// <summary>Removes a subscription, tells the server when connected, and ends its delivery.</summary>
    public void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            if (TryRemove(subscription))
            {
                // Without an id: there is nothing to wait for. Sent after the subscribe on this connection (one
                // connection's commands run in order), so it also undoes a subscribe still in flight.
                _sink?.Send(ClientCommands.Unsubscribe(subscription.Channel));
            }
        }

        subscription.Complete(null);
    }

    /// <summary>Removes and ends every subscription (the client is disposed).</summary>
    public void CompleteAll()
    {
        List<Subscription> all;
        lock (_gate)
        {
            all = [.. _byChannel.Values];
            _byChannel.Clear();
            _patterns = 0;
        }

        foreach (var subscription in all)
        {
            subscription.Complete(null);
        }
    }

    /// <summary>Makes <paramref name="sink"/> current and subscribes every subscription on it.</summary>
    public void OnConnected(IFrameSink sink)
    {
        lock (_gate)
        {
            _sink = sink;
            foreach (var subscription in _byChannel.Values)
            {
                SendSubscribe(sink, subscription);
            }
        }
    }

    /// <summary>The connection dropped: nothing is sent until the next one.</summary>
    public void OnDisconnected()
    {
        lock (_gate)
        {
            _sink = null;
        }
    }

    /// <summary>Hands a live publication to its exact subscription and to every pattern that matches its channel.</summary>
    public async ValueTask RouteAsync(Protocol.Publication publication)
    {
        Subscription? exact;
        List<Subscription>? patterns = null;
        lock (_gate)
        {
            _byChannel.TryGetValue(publication.Channel, out exact);
            if (_patterns > 0)
            {
                foreach (var subscription in _byChannel.Values)
                {
                    if (subscription.Pattern is { } pattern && pattern.Matches(publication.Channel))
                    {
                        (patterns ??= []).Add(subscription);
                    }
                }
            }
        }

        if (exact is not null)
        {
            var delivery = exact.OnPublicationAsync(publication, live: true, out var discontinuity);
            if (discontinuity)
            {
                Recover(exact, publication);
            }

            await delivery.ConfigureAwait(false);
        }

        foreach (var subscription in patterns ?? [])
        {
            await subscription.OnPublicationAsync(publication, live: true, out _).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The client's own continuity check found a live publication that does not follow the last one delivered (an
    /// offset skipped, or a new epoch) without the server saying so: ends the subscription on the server and subscribes
    /// again with since = the last position delivered, in one go (a connection's commands run in order). The result
    /// recovers what was skipped, or says it cannot (then the next publication has FollowsGap set).
    /// </summary>
    private void Recover(Subscription subscription, Protocol.Publication publication)
    {
        lock (_gate)
        {
            if (_sink is { } sink && _byChannel.TryGetValue(subscription.Channel, out var current) && current == subscription)
            {
                Log.Discontinuity(_logger, subscription.Channel, publication.Offset, publication.Epoch);
                sink.Send(ClientCommands.Unsubscribe(subscription.Channel));
                SendSubscribe(sink, subscription);
            }

            // Offline: the next connection subscribes again with since anyway.
        }
    }

    /// <summary>Hands a <c>join</c> or <c>leave</c> to the subscription of its channel.</summary>
    public void OnPresence(string channel, bool joined, PresenceMember member)
    {
        Subscription? subscription;
        lock (_gate)
        {
            _byChannel.TryGetValue(channel, out subscription);
        }

        subscription?.OnPresence(joined, PublicationReader.PresenceClient(member));
    }

    /// <summary>
    /// The gap notice (docs/protocol.md, "Gaps"): the server could not continue the subscription's stream without a
    /// hole and ended it. Subscribe again with since = the last position delivered: the result recovers what was
    /// missed, or says it cannot, and then the next publication has <see cref="Publication{T}.FollowsGap"/> set.
    /// </summary>
    public void OnGapNotice(IFrameSink connection, string channel)
    {
        lock (_gate)
        {
            // Not while the client's own recovery is in flight: that subscribe already takes the ended one's place.
            if (_sink == connection && _byChannel.TryGetValue(channel, out var subscription) && subscription.EverSubscribed && subscription.TryBeginRecovery())
            {
                Log.GapNotice(_logger, channel);
                SendSubscribe(connection, subscription);
            }
        }
    }

    /// <summary>Sends subscribe for <paramref name="subscription"/>. Called under the lock, so subscribes go out in order.</summary>
    private void SendSubscribe(IFrameSink sink, Subscription subscription)
    {
        var id = _commands.NextId();
        var since = subscription.SinceForSubscribe();
        var command = new PendingCommand(id, "subscribe", ClientCommands.Subscribe(id, subscription.Channel, since, subscription.WantsPresence), ResendPolicy.Forget)
        {
            OnResult = result => OnSubscribeResultAsync(subscription, result, since is not null),
        };
        _commands.TrackSent(command);
        sink.Send(command.Payload);
    }

    private async ValueTask OnSubscribeResultAsync(Subscription subscription, ServerMessage message, bool sentSince)
    {
        if (message.Success)
        {
            await subscription.OnSubscribedAsync(ReplyReader.ReadSubscribe(message.Result.Span, subscription.Channel), sentSince).ConfigureAwait(false);
            if (subscription.Recovered == false)
            {
                Log.NotRecovered(_logger, subscription.Channel);
            }

            subscription.FirstSubscribed.TrySetResult();
            return;
        }

        var error = CommandError(message);
        if (subscription.EverSubscribed)
        {
            Log.ResubscribeFailed(_logger, subscription.Channel, error.Code, error.ServerMessage);
        }

        lock (_gate)
        {
            TryRemove(subscription);
        }

        subscription.Complete(error);
    }

    /// <summary>Removes <paramref name="subscription"/> if it is still the one for its channel. Called under the lock.</summary>
    private bool TryRemove(Subscription subscription)
    {
        if (!_byChannel.TryGetValue(subscription.Channel, out var current) || current != subscription)
        {
            return false;
        }

        _byChannel.Remove(subscription.Channel);
        _patterns -= subscription.IsWildcard ? 1 : 0;
        return true;
    }

    /// <summary>The exception for a failed <c>result</c>.</summary>
    public static SwitchboardCommandException CommandError(ServerMessage message) =>
        message.Error is { } error
            ? new SwitchboardCommandException(error.Code, error.Message)
            : new SwitchboardCommandException(ErrorCodes.Internal, "the server's result had no error");
}
