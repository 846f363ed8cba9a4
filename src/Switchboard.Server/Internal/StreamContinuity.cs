using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Brokers;
using Switchboard.Internal;

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
/// A heal runs on the thread pool, never on the broker's delivery thread (the memory broker delivers on the publisher's
/// thread), and always ends: each round reads history once, a failing read is tried again a few times with backoff,
/// and a hole history cannot explain ends in the gap notice after a few rounds rather than another read. Its log
/// events are written at most once per interval each, with the count of the others.
/// Thread safety: all members are safe from many threads; a channel's publications reach the registry under its
/// cursor's lock, one at a time and in offset order.
/// </remarks>
internal sealed class StreamContinuity : IDisposable
{
    private const int MaxRounds = 3;
    private const int MaxBuffered = 10_000; // Live publications held during one heal; later ones are read from history.
    private static readonly TimeSpan IdleTime = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, ChannelCursor> _cursors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ChannelSubscription, byte> _patterns = new();
    private readonly MissedHistory _history;
    private readonly SubscriptionRegistry _subscriptions;
    private readonly ContinuityLog _log;
    private readonly Diagnostics.SwitchboardMetrics? _metrics;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _sweeper;

    public StreamContinuity(IBroker broker, SubscriptionRegistry subscriptions, ILogger logger, Diagnostics.SwitchboardMetrics? metrics = null, TimeProvider? time = null)
    {
        _subscriptions = subscriptions;
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
        _log = new ContinuityLog(logger, _time);
        _history = new MissedHistory(broker, _time, _log, _stopping.Token);
        _sweeper = _time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
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
    /// A start in another epoch leaves the cursor where it is: the older start is the one a heal must answer for (it
    /// tells the subscriptions of the old epoch and spares those that started in the new one).
    /// </summary>
    public void Started(string channel, StreamPosition position)
    {
        var cursor = CursorOf(channel);
        lock (cursor)
        {
            if (!cursor.Confirmed && !cursor.Healing
                && (cursor.Epoch is null || (cursor.Epoch == position.Epoch && position.Offset < cursor.Offset)))
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
            cursor.LastUsed = _time.GetTimestamp();
            if (cursor.Healing)
            {
                Hold(cursor, publication);
                return;
            }

            if (!Accept(cursor, publication))
            {
                return;
            }
        }

        StartHeal(cursor);
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

            StartHeal(cursor);
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        _stopping.Cancel(); // Not disposed: heals still waiting read its token (it holds no timer or handle).
    }

    private ChannelCursor CursorOf(string channel)
    {
        while (true)
        {
            var cursor = _cursors.GetOrAdd(channel, static (c, time) => new ChannelCursor(c, time.GetTimestamp()), _time);
            if (!Volatile.Read(ref cursor.Removed))
            {
                return cursor;
            }

            _cursors.TryRemove(new KeyValuePair<string, ChannelCursor>(channel, cursor));
        }
    }

    /// <summary>Under the cursor's lock: passes, drops, or starts healing (returns true: the caller starts the heal).</summary>
    private bool Accept(ChannelCursor cursor, Publication publication)
    {
        if (cursor.Epoch is null || cursor.Follows(publication))
        {
            Pass(cursor, publication);
            return false;
        }

        if (cursor.Delivered(publication))
        {
            return false;
        }

        // Offsets jumped or the epoch changed: what came between is read from history first.
        cursor.Healing = true;
        cursor.Buffer = [publication];
        return true;
    }

    /// <summary>Under the cursor's lock, while healing: keeps a live publication for after the heal, up to a bound.</summary>
    private static void Hold(ChannelCursor cursor, Publication publication)
    {
        // Past the bound, what is not held is a hole after the heal, read from history in the next round: memory stays
        // bounded however long a heal waits for the broker.
        if (cursor.Buffer!.Count < MaxBuffered)
        {
            cursor.Buffer.Add(publication);
        }
        else
        {
            cursor.Overflowed = true;
        }
    }

    private void Pass(ChannelCursor cursor, Publication publication)
    {
        cursor.Epoch = publication.Epoch;
        cursor.Offset = publication.Offset;
        cursor.Confirmed = true;
        _subscriptions.Deliver(publication);
    }

    /// <summary>
    /// Runs a heal on the thread pool: the memory broker delivers on the publisher's thread under its stream's lock, and
    /// a publish must never wait for a subscriber-side heal (which reads history and may back off between attempts).
    /// </summary>
    private void StartHeal(ChannelCursor cursor) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Continuity.HealAsync(state.Cursor), (Continuity: this, Cursor: cursor), preferLocal: false);

    private async Task HealAsync(ChannelCursor cursor)
    {
        try
        {
            await HealRoundsAsync(cursor).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A heal that fails unexpectedly must not leave its channel buffering for ever.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (cursor)
            {
                // Nobody can be told what they missed: every subscription is told that they did; the next publication starts afresh.
                InterruptBehind(cursor.Channel, string.Empty, long.MaxValue);
                cursor.Buffer = null;
                cursor.Healing = false;
                cursor.Epoch = null;
            }

            _log.HealFailed(cursor.Channel, ex);
        }
    }

    private async Task HealRoundsAsync(ChannelCursor cursor)
    {
        for (var round = 1; ; round++)
        {
            StreamPosition from;
            lock (cursor)
            {
                from = cursor.Position;
            }

            var read = await _history.ReadAsync(cursor.Channel, from).ConfigureAwait(false);
            lock (cursor)
            {
                Apply(cursor, from, read);

                // A round that did not move the cursor cannot explain what arrived meanwhile, and another read would
                // answer the same: that hole ends in the gap notice, as does one still open after the last round.
                if (Drain(cursor, giveUp: round >= MaxRounds || !cursor.MovedFrom(from)))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Under the cursor's lock: delivers what history gave, or tells the subscriptions it cannot serve.</summary>
    private void Apply(ChannelCursor cursor, StreamPosition from, MissedHistory.Read read)
    {
        var missed = read.Result;
        var publications = missed.Publications;
        if (!read.Complete)
        {
            // Only what history still holds can follow: subscriptions that started before it are told.
            var first = publications.Count > 0 ? publications[0].Offset : missed.Position.Offset + 1;
            var told = InterruptBehind(cursor.Channel, missed.Position.Epoch, first - 1);
            _log.StreamInterrupted(cursor.Channel, from.Offset, from.Epoch, told);
            cursor.Epoch = missed.Position.Epoch.Length > 0 ? missed.Position.Epoch : null;
            cursor.Offset = first - 1;
        }

        var healed = 0;
        foreach (var publication in publications)
        {
            if (cursor.Epoch is null || cursor.Follows(publication))
            {
                Pass(cursor, publication);
                healed++;
            }
        }

        if (read.Complete && healed > 0)
        {
            _log.StreamHealed(cursor.Channel, from.Offset, healed);
            _metrics?.GapHealed();
        }
    }

    /// <summary>
    /// Under the cursor's lock: delivers the publications held during the heal. One that still does not follow starts
    /// another round, or with <paramref name="giveUp"/> ends in the gap notice for those behind it and is delivered.
    /// Returns whether the heal is over.
    /// </summary>
    private bool Drain(ChannelCursor cursor, bool giveUp)
    {
        var held = cursor.Buffer!;
        cursor.Buffer = null;
        cursor.Healing = false;
        foreach (var publication in held)
        {
            if (cursor.Healing)
            {
                cursor.Buffer!.Add(publication);
            }
            else if (cursor.Epoch is null || cursor.Follows(publication))
            {
                Pass(cursor, publication);
            }
            else if (cursor.Delivered(publication))
            {
                continue;
            }
            else if (giveUp)
            {
                var told = InterruptBehind(cursor.Channel, publication.Epoch, publication.Offset - 1);
                _log.HealGaveUp(cursor.Channel, cursor.Offset, publication.Offset, publication.Epoch, told);
                Pass(cursor, publication);
            }
            else
            {
                cursor.Healing = true;
                cursor.Buffer = [publication];
            }
        }

        if (cursor.Overflowed && !cursor.Healing)
        {
            // Publications were left out while the heal waited: another round reads them from history (this is
            // progress, not a repeat: the cursor moved past what was held).
            cursor.Overflowed = false;
            cursor.Healing = true;
            cursor.Buffer = [];
        }

        return !cursor.Healing;
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
        foreach (var (channel, cursor) in _cursors)
        {
            lock (cursor)
            {
                if (!cursor.Pinned && !cursor.Healing && _time.GetElapsedTime(cursor.LastUsed) > IdleTime)
                {
                    cursor.Removed = true;
                    _cursors.TryRemove(new KeyValuePair<string, ChannelCursor>(channel, cursor));
                }
            }
        }
    }

}
