using System.Collections.Concurrent;
using Switchboard.Protocol;
using Switchboard.Brokers;

namespace Switchboard.Redis.Internal;

/// <summary>
/// Hands each publication to the node's handler once and in offset order, although Redis may deliver it several times:
/// once per matching subscription (a channel and a pattern, or two patterns), each on its own ordered queue. A channel's
/// cursor remembers the last offset handed over; older or equal offsets of the same epoch are dropped.
/// </summary>
/// <remarks>
/// A cursor idle for a minute is forgotten (duplicates arrive within milliseconds of each other), which bounds the
/// memory to the channels active in the last minute. Thread safety: safe from many threads; the handler is called
/// under the channel cursor's lock, so one channel's publications reach it one at a time.
/// </remarks>
internal sealed class DeliveryCursors : IDisposable
{
    private static readonly long IdleTicks = TimeSpan.FromMinutes(1).Ticks;

    private readonly ConcurrentDictionary<string, Cursor> _cursors = new(StringComparer.Ordinal);
    private readonly Timer _sweeper;

    public DeliveryCursors() => _sweeper = new Timer(_ => Sweep(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

    public void Deliver(Publication publication, IBrokerEventHandler handler)
    {
        while (true)
        {
            var cursor = _cursors.GetOrAdd(publication.Channel, static _ => new Cursor());
            lock (cursor)
            {
                if (cursor.Removed)
                {
                    continue;
                }

                cursor.LastUsed = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
                var newer = cursor.Epoch is null
                    || (publication.Epoch == cursor.Epoch ? publication.Offset > cursor.Offset : publication.Timestamp >= cursor.Timestamp);
                if (!newer)
                {
                    return;
                }

                cursor.Epoch = publication.Epoch;
                cursor.Offset = publication.Offset;
                cursor.Timestamp = publication.Timestamp;
                handler.HandlePublication(publication);
                return;
            }
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private void Sweep()
    {
        var now = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
        foreach (var (channel, cursor) in _cursors)
        {
            lock (cursor)
            {
                if (now - cursor.LastUsed > IdleTicks)
                {
                    cursor.Removed = true;
                    _cursors.TryRemove(new KeyValuePair<string, Cursor>(channel, cursor));
                }
            }
        }
    }

    private sealed class Cursor
    {
        public string? Epoch;
        public long Offset;
        public long Timestamp;
        public long LastUsed;
        public bool Removed;
    }
}
