using System.Buffers;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Presence;

namespace Switchboard.Server.Internal;

/// <summary>
/// Keeps the presence store in step with this node's subscriptions and sends <c>join</c>/<c>leave</c> to the local
/// subscribers of the channel that asked for them (<c>presence: true</c>), never to the client the event is about.
/// </summary>
/// <remarks>
/// Presence is best effort: a store that fails is logged and never fails a subscribe or leaves a connection half
/// closed. Events reach this node's subscribers; a cluster relays them between nodes through its control bus.
/// Thread safety: safe from many threads; one connection's join and leave come from its own, serial, receive loop.
/// </remarks>
internal sealed class PresenceTracker
{
    private readonly IPresenceStore _store;
    private readonly SubscriptionRegistry _subscriptions;
    private readonly ILogger _logger;

    public PresenceTracker(IPresenceStore store, SubscriptionRegistry subscriptions, ILogger logger)
    {
        _store = store;
        _subscriptions = subscriptions;
        _logger = logger;
    }

    public IPresenceStore Store => _store;

    public async ValueTask JoinAsync(ChannelSubscription subscription)
    {
        if (subscription.Channel.IsWildcard || subscription.IsHandlerAudience)
        {
            return;
        }

        var connection = subscription.Connection;
        try
        {
            var entry = new PresenceEntry(connection.Id, connection.Identity.UserId, connection.Identity.Info);
            await _store.AddAsync(subscription.Channel.Value, entry, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DeliveryLog.PresenceStoreFailed(_logger, subscription.Channel.Value, ex);
        }

        Notify(join: true, subscription);
    }

    public async ValueTask LeaveAsync(ChannelSubscription subscription)
    {
        if (subscription.Channel.IsWildcard || subscription.IsHandlerAudience)
        {
            return;
        }

        try
        {
            await _store.RemoveAsync(subscription.Channel.Value, subscription.Connection.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DeliveryLog.PresenceStoreFailed(_logger, subscription.Channel.Value, ex);
        }

        Notify(join: false, subscription);
    }

    private void Notify(bool join, ChannelSubscription subject)
    {
        // Encoded once, on the first subscriber that wants it; every recipient gets the same bytes.
        ReadOnlyMemory<byte> encoded = default;
        foreach (var peer in _subscriptions.GetSubscribers(subject.Channel.Value))
        {
            if (!peer.PresenceEvents || ReferenceEquals(peer.Connection, subject.Connection))
            {
                continue;
            }

            if (encoded.IsEmpty)
            {
                var buffer = new ArrayBufferWriter<byte>(128);
                var connection = subject.Connection;
                MessageWriter.WritePresenceEvent(buffer, join, subject.Channel.Value, connection.Id, connection.Identity.UserId, connection.Identity.Info.Span);
                encoded = buffer.WrittenMemory;
            }

            peer.Connection.Send(encoded);
        }
    }
}
