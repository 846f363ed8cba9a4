using Switchboard.Protocol;
using Switchboard.Server.Handlers.Internal;

namespace Switchboard.Server.Internal;

/// <summary>
/// One connection's subscription to one channel or pattern. Starts pending: publications that arrive while the
/// subscribe command reads the channel's position and history are held back, then sent after the result without
/// duplicates (<see cref="GoLive"/>), so that a subscriber sees every publication once and in order.
/// </summary>
/// <remarks>Thread safety: <see cref="Deliver"/> is called by broker threads while the connection calls <see cref="GoLive"/>.</remarks>
internal sealed class ChannelSubscription
{
    private readonly object _gate = new();
    private List<Publication>? _pending = [];
    private volatile bool _live;
    private long _lastOffset;

    public ChannelSubscription(SwitchboardConnection connection, ChannelPattern channel, bool presenceEvents)
    {
        Connection = connection;
        Channel = channel;
        PresenceEvents = presenceEvents;
    }

    /// <summary>
    /// A custom handler's audience (all, group, user, role): delivers each publication's data as it is (the handler's
    /// own message, encoded once by the sender), except to the connection named in its <c>from</c>, which is how a
    /// broadcast excludes its sender. Live at once; no presence.
    /// </summary>
    public static ChannelSubscription ForHandler(SwitchboardConnection connection, ChannelPattern channel)
    {
        var subscription = new ChannelSubscription(connection, channel, presenceEvents: false) { IsHandlerAudience = true };
        subscription.GoLive(0);
        return subscription;
    }

    public SwitchboardConnection Connection { get; }

    public ChannelPattern Channel { get; }

    public bool PresenceEvents { get; }

    /// <summary>Whether this is a custom handler's audience rather than a built-in client's subscription.</summary>
    public bool IsHandlerAudience { get; private init; }

    /// <summary>Hands a publication to the connection's writer, or holds it while the subscription is pending.</summary>
    public void Deliver(Publication publication)
    {
        if (_live)
        {
            Enqueue(publication);
            return;
        }

        lock (_gate)
        {
            if (!_live)
            {
                _pending?.Add(publication);
                return;
            }
        }

        Enqueue(publication);
    }

    /// <summary>
    /// Sends what was held back (skipping offsets the client already has, up to <paramref name="deliveredOffset"/>) and
    /// switches to direct delivery. Called after the subscribe result has been enqueued.
    /// </summary>
    public void GoLive(long deliveredOffset)
    {
        lock (_gate)
        {
            _lastOffset = deliveredOffset;
            foreach (var publication in _pending!)
            {
                // Exact channels skip what the result already covered; a pattern spans many channels' offsets.
                if (Channel.IsWildcard || publication.Offset > _lastOffset)
                {
                    Enqueue(publication);
                }
            }

            _pending = null;
            _live = true;
        }
    }

    private void Enqueue(Publication publication)
    {
        if (IsHandlerAudience)
        {
            if (publication.From?.Client != Connection.Id)
            {
                Connection.Writer.TryEnqueue(publication.Data);
            }

            return;
        }

        // A built-in wildcard (even '>') never sees the handlers' reserved channels.
        if (!Channel.IsWildcard || !HandlerChannels.IsReserved(publication.Channel))
        {
            Connection.Writer.TryEnqueue(publication.Encoded);
        }
    }
}
