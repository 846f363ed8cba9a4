using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Brokers;

namespace Switchboard.Server.Internal;

/// <summary>
/// Keeps each channel's live stream on this node contiguous, whatever the broker does. The node remembers the last
/// offset and epoch it delivered per channel; a publication that repeats one is dropped, and one that does not follow
/// (a lost broker link, a new epoch) or a broker link that comes back makes the node read the missed publications
/// from history and deliver them first. Where history no longer holds them, each affected subscription gets the gap
/// notice (<see cref="GapNotice"/>) instead of a silent jump.
/// </summary>
/// <remarks>
/// Costs one dictionary lookup and one uncontended lock per publication (not per subscriber). A channel's cursor
/// lives while the channel has exact local subscribers; cursors of channels seen only through patterns are forgotten
/// after a minute without publications. Pattern subscriptions are told about every gap of a channel they match and
/// about every broker link loss, because no offset tells the node what a pattern missed on channels it never saw.
/// Thread safety: all members are safe from many threads; a channel's publications reach the registry under its
/// cursor's lock, one at a time and in offset order.
/// </remarks>
internal sealed class StreamContinuity : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private const int MaxAttempts = 20;
    private static readonly long IdleMs = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;

    private readonly ConcurrentDictionary<string, ChannelCursor> _cursors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ChannelSubscription, byte> _patterns = new();
    private readonly IBroker _broker;
    private readonly SubscriptionRegistry _subscriptions;
    private readonly ILogger _logger;
    private readonly Diagnostics.SwitchboardMetrics? _metrics;
    private readonly Timer _sweeper;

    public StreamContinuity(IBroker broker, SubscriptionRegistry subscriptions, ILogger logger, Diagnostics.SwitchboardMetrics? metrics = null)
    {
        _broker = broker;
        _subscriptions = subscriptions;
        _logger = logger;
        _metrics = metrics;
        _sweeper = new Timer(_ => Sweep(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    /// <summary>The channel got its first exact local subscriber: keep its cursor while it has any.</summary>
    public void Track(string channel)
    {
        var cursor = CursorOf(channel);
        lock (cursor)
        {
            cursor.Pinned = true;
        }
    }

    /// <summary>The channel's last exact local subscriber left.</summary>
    public void Forget(string channel)
    {
        if (_cursors.TryGetValue(channel, out var cursor))
        {
            lock (cursor)
            {
                cursor.Pinned = false;
                cursor.Removed = true;
                _cursors.TryRemove(new KeyValuePair<string, ChannelCursor>(channel, cursor));
            }
        }
    }

    public void AddPattern(ChannelSubscription subscription) => _patterns.TryAdd(subscription, 0);

    public void RemovePattern(ChannelSubscription subscription) => _patterns.TryRemove(subscription, out _);

    /// <summary>
    /// An exact subscription starts at <paramref name="position"/> (its subscribe result). Until a publication has passed,
    /// the channel's cursor is the lowest such start, so that a link lost before the first publication is noticed.
    /// </summary>
    public void Started(string channel, StreamPosition position)
    {
        var cursor = CursorOf(channel);
        lock (cursor)
        {
            if (!cursor.Confirmed && !cursor.Healing
                && (cursor.Epoch is null || cursor.Epoch != position.Epoch || position.Offset < cursor.Offset))
            {
                cursor.Epoch = position.Epoch;
                cursor.Offset = position.Offset;
            }
        }
    }

    /// <summary>Delivers a publication the broker handed to this node, once and in order, healing a gap first.</summary>
    public void Deliver(Publication publication)
    {
        var cursor = CursorOf(publication.Channel);
        lock (cursor)
        {
            cursor.LastUsedMs = Environment.TickCount64;
            if (cursor.Healing)
            {
                cursor.Buffer!.Add(publication);
                return;
            }

            if (!Accept(cursor, publication))
            {
                return;
            }
        }

        _ = HealAsync(cursor);
    }

    /// <summary>
    /// The broker's delivery to this node was interrupted and works again: publications may have been missed on any
    /// channel. Every known channel is checked against history; every pattern subscription gets the gap notice.
    /// </summary>
    public void Resume()
    {
        foreach (var subscription in _patterns.Keys)
        {
            subscription.Interrupt(GapNotice.Encode(subscription.Channel.Value));
        }

        foreach (var cursor in _cursors.Values)
        {
            lock (cursor)
            {
                if (cursor.Removed || cursor.Healing || cursor.Epoch is null)
                {
                    continue;
                }

                cursor.Healing = true;
                cursor.Buffer = [];
            }

            _ = HealAsync(cursor);
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private ChannelCursor CursorOf(string channel)
    {
        while (true)
        {
            var cursor = _cursors.GetOrAdd(channel, static c => new ChannelCursor(c));
            if (!Volatile.Read(ref cursor.Removed))
            {
                return cursor;
            }

            _cursors.TryRemove(new KeyValuePair<string, ChannelCursor>(channel, cursor));
        }
    }

    /// <summary>Under the cursor's lock: passes, drops, or starts healing (returns true: the caller runs the heal).</summary>
    private bool Accept(ChannelCursor cursor, Publication publication)
    {
        if (cursor.Epoch is null || (publication.Epoch == cursor.Epoch && publication.Offset == cursor.Offset + 1))
        {
            Pass(cursor, publication);
            return false;
        }

        if (publication.Epoch == cursor.Epoch && publication.Offset <= cursor.Offset)
        {
            return false; // Already delivered: the same publication through a channel and a pattern subscription.
        }

        // Offsets jumped or the epoch changed: what came between is read from history first.
        cursor.Healing = true;
        cursor.Buffer = [publication];
        return true;
    }

    private void Pass(ChannelCursor cursor, Publication publication)
    {
        cursor.Epoch = publication.Epoch;
        cursor.Offset = publication.Offset;
        cursor.Confirmed = true;
        _subscriptions.Deliver(publication);
    }

    private async Task HealAsync(ChannelCursor cursor)
    {
        var attempts = 0;
        while (true)
        {
            StreamPosition from;
            lock (cursor)
            {
                from = new StreamPosition(cursor.Offset, cursor.Epoch!);
            }

            HistoryResult missed;
            var complete = false;
            try
            {
                missed = await _broker.GetHistoryAsync(cursor.Channel, new HistoryQuery(from, null), CancellationToken.None).ConfigureAwait(false);
                complete = missed.Complete;
                if (!complete)
                {
                    missed = await _broker.GetHistoryAsync(cursor.Channel, new HistoryQuery(null, null), CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (++attempts < MaxAttempts)
                {
                    await Task.Delay(RetryDelay).ConfigureAwait(false);
                    continue;
                }

                // History stays out of reach: nobody can be told what they missed, only that they missed something.
                DeliveryLog.HealFailed(_logger, cursor.Channel, ex);
                missed = new HistoryResult(new StreamPosition(0, string.Empty), [], Complete: false);
            }

            lock (cursor)
            {
                var publications = missed.Publications;
                if (!complete)
                {
                    // Only what history still holds can follow: subscriptions that started before it are told.
                    var first = publications.Count > 0 ? publications[0].Offset : missed.Position.Offset + 1;
                    var told = InterruptBehind(cursor.Channel, missed.Position.Epoch, first - 1);
                    DeliveryLog.StreamInterrupted(_logger, cursor.Channel, from.Offset, from.Epoch, told);
                    cursor.Epoch = missed.Position.Epoch.Length > 0 ? missed.Position.Epoch : null;
                    cursor.Offset = first - 1;
                }
                else if (publications.Count > 0)
                {
                    DeliveryLog.StreamHealed(_logger, cursor.Channel, from.Offset, publications.Count);
                    _metrics?.GapHealed();
                }

                foreach (var publication in publications)
                {
                    if (publication.Epoch == cursor.Epoch && publication.Offset == cursor.Offset + 1)
                    {
                        Pass(cursor, publication);
                    }
                }

                var buffered = cursor.Buffer!;
                cursor.Buffer = null;
                cursor.Healing = false;
                foreach (var publication in buffered)
                {
                    if (cursor.Healing)
                    {
                        cursor.Buffer!.Add(publication);
                    }
                    else
                    {
                        Accept(cursor, publication);
                    }
                }

                if (!cursor.Healing)
                {
                    return;
                }
            }

            attempts = 0;
        }
    }

    /// <summary>Sends the gap notice to the subscriptions of a channel that do not already start at or after <paramref name="resumable"/>.</summary>
    private int InterruptBehind(string channel, string epoch, long resumable)
    {
        var told = 0;
        ReadOnlyMemory<byte> notice = default;
        foreach (var subscription in _subscriptions.GetSubscribers(channel))
        {
            if (subscription.Start is { } start && start.Epoch == epoch && start.Offset >= resumable && !subscription.IsInterrupted)
            {
                continue;
            }

            if (notice.IsEmpty)
            {
                notice = GapNotice.Encode(channel);
            }

            subscription.Interrupt(notice);
            told++;
        }

        foreach (var subscription in _patterns.Keys)
        {
            if (subscription.Channel.Matches(channel))
            {
                subscription.Interrupt(GapNotice.Encode(subscription.Channel.Value));
                told++;
            }
        }

        return told;
    }

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (channel, cursor) in _cursors)
        {
            lock (cursor)
            {
                if (!cursor.Pinned && !cursor.Healing && now - cursor.LastUsedMs > IdleMs)
                {
                    cursor.Removed = true;
                    _cursors.TryRemove(new KeyValuePair<string, ChannelCursor>(channel, cursor));
                }
            }
        }
    }

    /// <summary>What this node delivered last on one channel. Guarded by locking the instance.</summary>
    private sealed class ChannelCursor(string channel)
    {
        public readonly string Channel = channel;
        public string? Epoch;
        public long Offset;
        public bool Confirmed;
        public bool Pinned;
        public bool Healing;
        public bool Removed;
        public long LastUsedMs = Environment.TickCount64;
        public List<Publication>? Buffer;
    }
}
