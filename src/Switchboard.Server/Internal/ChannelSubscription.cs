using Switchboard.Protocol;
using Switchboard.Server.Handlers.Internal;

namespace Switchboard.Server.Internal;

/// <summary>
/// One connection's subscription to one channel or pattern. Starts pending: publications that arrive while the
/// subscribe command reads the channel's position and history are held back, then sent after the result without
/// duplicates (<see cref="GoLive"/>), so that a subscriber sees every publication once and in order.
/// </summary>
/// <remarks>
/// An exact subscription also drops live publications at or below its result's offset: with a cluster broker, a
/// publication can be in flight to this node when the subscribe reads the position, and arrive after the result.
/// A subscription whose stream the node cannot continue without a hole is <see cref="Interrupt">interrupted</see>: the
/// client gets the documented <c>unsubscribe</c> notice and nothing more on it, until it subscribes again.
/// Thread safety: <see cref="Deliver"/> and <see cref="Interrupt"/> are called by broker threads while the connection
/// calls <see cref="GoLive"/>.
/// </remarks>
internal sealed class ChannelSubscription
{
    private const int Pending = 0;
    private const int Guarded = 1; // live, still dropping what the result covered
    private const int Live = 2;
    private const int Ended = 3;

    private readonly Lock _gate = new();
    private List<Publication>? _pending = [];
    private volatile int _state;
    private bool _interruptedWhilePending;

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
        subscription.GoLive(null);
        return subscription;
    }

    /// <summary>
    /// A handler audience registered before its connection exists (before the upgrade's 101 goes out), so that a
    /// broadcast sent once the client sees the socket open is not missed: it holds publications until
    /// <see cref="BindAndGoLive"/>.
    /// </summary>
    public static ChannelSubscription ForHandlerBeforeAccept(ChannelPattern channel) =>
        new(null!, channel, presenceEvents: false) { IsHandlerAudience = true };

    /// <summary>Gives an early handler audience its connection and releases what it held, in order.</summary>
    public void BindAndGoLive(SwitchboardConnection connection)
    {
        Connection = connection;
        GoLive(null);
    }

    /// <summary>The connection; for an early handler audience, set by <see cref="BindAndGoLive"/> (pending until then).</summary>
    public SwitchboardConnection Connection { get; private set; }

    public ChannelPattern Channel { get; }

    public bool PresenceEvents { get; }

    /// <summary>Whether this is a custom handler's audience rather than a built-in client's subscription.</summary>
    public bool IsHandlerAudience { get; private init; }

    /// <summary>The position of the subscribe result (exact channels), once live; what the client had when it started.</summary>
    public StreamPosition? Start { get; private set; }

    /// <summary>Whether the node ended this subscription with the gap notice; a new <c>subscribe</c> replaces it.</summary>
    public bool IsInterrupted => _state == Ended || Volatile.Read(ref _interruptedWhilePending);

    /// <summary>
    /// Hands a publication to the connection's writer, or holds it while the subscription is pending. Returns the bytes
    /// queued for the client (0 when held, skipped or refused), for the caller to count once per fan-out rather than
    /// once per subscriber (three metric updates per delivery cost more than the delivery's own bookkeeping).
    /// </summary>
    public int Deliver(Publication publication)
    {
        if (_state == Live)
        {
            return Enqueue(publication);
        }

        lock (_gate)
        {
            switch (_state)
            {
                case Pending:
                    _pending?.Add(publication);
                    return 0;
                case Guarded:
                    if (Covered(publication))
                    {
                        return 0;
                    }

                    // Offsets reach a node in order within an epoch: after the first one past the result, no check is needed.
                    _state = Live;
                    break;
                case Ended:
                    return 0;
            }
        }

        return Enqueue(publication);
    }

    /// <summary>
    /// Sends what was held back (skipping offsets the client already has, up to <paramref name="start"/>) and switches
    /// to direct delivery. Called after the subscribe result has been enqueued; <paramref name="start"/> is
    /// <see langword="null"/> for a pattern.
    /// </summary>
    public void GoLive(StreamPosition? start)
    {
        lock (_gate)
        {
            Start = start;
            if (_interruptedWhilePending)
            {
                _pending = null;
                _state = Ended;
                Connection.Send(GapNotice.Encode(Channel.Value));
                return;
            }

            foreach (var publication in _pending!)
            {
                // Exact channels skip what the result already covered; a pattern spans many channels' offsets.
                if (!Covered(publication) && Enqueue(publication) is var bytes and > 0)
                {
                    Connection.Metrics?.Delivered(1, bytes);
                }
            }

            _pending = null;
            _state = start is null ? Live : Guarded;
        }
    }

    /// <summary>Queues a publication for the client; the bytes queued, or 0.</summary>
    private int Enqueue(Publication publication)
    {
        if (IsHandlerAudience)
        {
            if (publication.From?.Client != Connection.Id)
            {
                return Queued(publication.Data);
            }

            return 0;
        }

        // A built-in wildcard (even '>') never sees the handlers' reserved channels.
        if (!Channel.IsWildcard || !HandlerChannels.IsReserved(publication.Channel))
        {
            return Queued(publication.Encoded);
        }

        return 0;
    }

    private int Queued(ReadOnlyMemory<byte> encoded) => Connection.Writer.TryEnqueue(encoded) ? encoded.Length : 0;

    /// <summary>
    /// Ends the subscription because its stream cannot continue without a hole: sends the gap notice (after the
    /// result, when still pending) and drops everything after. Only the first call has an effect.
    /// </summary>
    public void Interrupt(ReadOnlyMemory<byte> notice)
    {
        if (IsHandlerAudience)
        {
            return; // At most once, and the handler's clients do not speak the built-in notice.
        }

        lock (_gate)
        {
            if (_state == Ended || _interruptedWhilePending)
            {
                return;
            }

            if (_state == Pending)
            {
                Volatile.Write(ref _interruptedWhilePending, true);
                return;
            }

            _state = Ended;
        }

        Connection.Send(notice);
    }

    private bool Covered(Publication publication) =>
        Start is { } start && publication.Epoch == start.Epoch && publication.Offset <= start.Offset;
}
