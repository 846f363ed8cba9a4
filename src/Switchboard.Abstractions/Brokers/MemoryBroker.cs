using System.Collections.Concurrent;
using Switchboard.Protocol;

namespace Switchboard.Brokers;

/// <summary>
/// The single-node broker: channel streams in this process's memory, delivered to the node's handler on the
/// publishing thread, through the same <see cref="IBrokerEventHandler"/> path a cluster broker uses.
/// </summary>
/// <remarks>
/// A channel's stream is forgotten once it has been idle for longer than its history and idempotency windows (one
/// never published to, e.g. created by a subscribe reading its position, at the next sweep), also while the channel has
/// subscribers; the next publish starts a new epoch at offset 1, so a client recovering from the old one gets
/// <c>recovered: false</c>, and the node delivers it to a subscriber that had seen nothing as the next publication.
/// Thread safety: all members are safe to call from many threads.
/// </remarks>
public sealed class MemoryBroker : IBroker, IDisposable
{
    private readonly ConcurrentDictionary<string, ChannelStream> _streams = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private IBrokerEventHandler? _handler;

    /// <summary>The default time between two sweeps for forgotten streams.</summary>
    public static readonly TimeSpan DefaultSweepInterval = TimeSpan.FromSeconds(30);

    /// <summary>Creates the broker; <paramref name="time"/> drives history expiry and the sweep (a fake clock in tests).</summary>
    public MemoryBroker(TimeProvider? time = null)
        : this(time, DefaultSweepInterval)
    {
    }

    /// <summary>
    /// Creates the broker with its own sweep interval: how often streams idle past their history and idempotency windows
    /// (and streams never published to) are forgotten. A short one lets a test see the sweep in real time.
    /// </summary>
    public MemoryBroker(TimeProvider? time, TimeSpan sweepInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sweepInterval, TimeSpan.Zero);
        _time = time ?? TimeProvider.System;
        _sweeper = _time.CreateTimer(_ => Sweep(), null, sweepInterval, sweepInterval);
    }

    /// <inheritdoc />
    public ValueTask StartAsync(IBrokerEventHandler handler, CancellationToken cancellationToken)
    {
        _handler = handler;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        var handler = _handler ?? throw new InvalidOperationException("The broker has not been started.");
        var now = _time.GetUtcNow();
        while (true)
        {
            var stream = _streams.GetOrAdd(request.Channel, static _ => new ChannelStream());
            lock (stream)
            {
                if (stream.Removed)
                {
                    continue; // Swept between GetOrAdd and lock: take the fresh one.
                }

                if (request.IdempotencyKey is { } key && stream.TryGetDuplicate(key, now, out var first))
                {
                    return ValueTask.FromResult(new PublishResult(first, Duplicate: true));
                }

                var publication = new Publication(request.Channel, request.Data, stream.Offset + 1, stream.Epoch, request.From, now.ToUnixTimeMilliseconds());
                stream.Append(publication, request, now);

                // Delivered under the stream's lock so that the handler sees offsets in order; the handler only enqueues.
                handler.HandlePublication(publication);
                return ValueTask.FromResult(new PublishResult(new StreamPosition(publication.Offset, publication.Epoch), Duplicate: false));
            }
        }
    }

    /// <inheritdoc />
    public ValueTask SubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask UnsubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var stream = _streams.GetOrAdd(channel, static _ => new ChannelStream());
        lock (stream)
        {
            return ValueTask.FromResult(stream.Read(query, now));
        }
    }

    /// <summary>Drops the history of every channel and starts new epochs, as a storage reset would. For tests and operators.</summary>
    public void Reset()
    {
        foreach (var (channel, stream) in _streams)
        {
            lock (stream)
            {
                stream.Removed = true;
                _streams.TryRemove(new KeyValuePair<string, ChannelStream>(channel, stream));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _sweeper.Dispose();

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var (channel, stream) in _streams)
        {
            lock (stream)
            {
                if (stream.IsExpired(now))
                {
                    stream.Removed = true;
                    _streams.TryRemove(new KeyValuePair<string, ChannelStream>(channel, stream));
                }
            }
        }
    }

    /// <summary>One channel's stream. Guarded by locking the instance.</summary>
    private sealed class ChannelStream
    {
        private readonly Queue<(Publication Publication, DateTimeOffset Expires)> _history = new();
        private Dictionary<string, (StreamPosition Position, DateTimeOffset Expires)>? _keys;
        private DateTimeOffset _keepUntil;

        public string Epoch { get; } = Guid.NewGuid().ToString("N")[..8];

        public long Offset { get; private set; }

        public bool Removed { get; set; }

        public bool TryGetDuplicate(string key, DateTimeOffset now, out StreamPosition position)
        {
            if (_keys is not null && _keys.TryGetValue(key, out var entry) && entry.Expires > now)
            {
                position = entry.Position;
                return true;
            }

            position = default;
            return false;
        }

        public void Append(Publication publication, PublishRequest request, DateTimeOffset now)
        {
            Offset = publication.Offset;
            var expires = now + request.History.Ttl;
            if (request.History.Size > 0 && request.History.Ttl > TimeSpan.Zero)
            {
                _history.Enqueue((publication, expires));
                while (_history.Count > request.History.Size)
                {
                    _history.Dequeue();
                }
            }

            if (request.IdempotencyKey is { } key)
            {
                _keys ??= new Dictionary<string, (StreamPosition, DateTimeOffset)>(StringComparer.Ordinal);
                if (_keys.Count > 10_000)
                {
                    // Bound the key table of a busy channel: drop what has expired before adding more.
                    foreach (var (k, v) in _keys)
                    {
                        if (v.Expires <= now)
                        {
                            _keys.Remove(k);
                        }
                    }
                }

                _keys[key] = (new StreamPosition(publication.Offset, Epoch), now + request.IdempotencyWindow);
            }

            var keepUntil = expires > now + request.IdempotencyWindow ? expires : now + request.IdempotencyWindow;
            if (keepUntil > _keepUntil)
            {
                _keepUntil = keepUntil;
            }
        }

        public HistoryResult Read(HistoryQuery query, DateTimeOffset now)
        {
            while (_history.Count > 0 && _history.Peek().Expires <= now)
            {
                _history.Dequeue();
            }

            var position = new StreamPosition(Offset, Epoch);
            if (query.Since is { } since)
            {
                // Complete when the epoch matches and every publication after since.Offset is still held.
                var firstHeld = _history.Count > 0 ? _history.Peek().Publication.Offset : Offset + 1;
                // A client at offset 0 has seen nothing of any epoch, so a stream held from its first publication is complete.
                var sameStream = since.Epoch == Epoch || since.Offset == 0;
                var complete = sameStream && since.Offset <= Offset && since.Offset + 1 >= firstHeld;
                if (!complete)
                {
                    return new HistoryResult(position, [], Complete: false);
                }

                var missed = new List<Publication>((int)(Offset - since.Offset));
                foreach (var (publication, _) in _history)
                {
                    if (publication.Offset > since.Offset)
                    {
                        missed.Add(publication);
                    }
                }

                return new HistoryResult(position, Oldest(missed, query.Limit), Complete: true);
            }

            var all = new List<Publication>(_history.Count);
            foreach (var (publication, _) in _history)
            {
                all.Add(publication);
            }

            return new HistoryResult(position, Newest(all, query.Limit), Complete: true);
        }

        public bool IsExpired(DateTimeOffset now) => _keepUntil <= now;

        // After a since position, a limit pages forward: the oldest first, the client continues from the last one.
        private static List<Publication> Oldest(List<Publication> publications, int? limit) =>
            limit is { } n && publications.Count > n ? publications.GetRange(0, n) : publications;

        private static List<Publication> Newest(List<Publication> publications, int? limit) =>
            limit is { } n && publications.Count > n ? publications.GetRange(publications.Count - n, n) : publications;
    }
}
