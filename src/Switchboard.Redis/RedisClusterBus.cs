using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Cluster;
using Switchboard.Redis.Internal;

namespace Switchboard.Redis;

/// <summary>
/// The control bus over Redis pub/sub: every node subscribes to one channel (<c>{KeyPrefix}control</c>) and publishes
/// its messages there, batched with its presence writes (<see cref="SwitchboardRedisOptions.BatchInterval"/>).
/// </summary>
/// <remarks>
/// Delivery is Redis pub/sub's: at most once (a node whose link is down misses what is sent meanwhile), in order per
/// sending node. Every frame names the node it came from, so a node drops its own (and uses their echo to know its own
/// link works). Each node sends a heartbeat every third of <see cref="SwitchboardRedisOptions.PresenceNodeTtl"/>; a
/// node not heard from for the whole time to live is reported lost (<see cref="IClusterBusHandler.HandleNodeLost"/>),
/// but only while this node hears its own heartbeats, so a node cut off from Redis does not declare everyone dead.
/// A node that stops on purpose says goodbye and is not reported lost.
/// Cost: one Redis subscription per node; a message addressed to one node still reaches all of them (and is dropped
/// by the others), which keeps the subscription count at one.
/// Thread safety: all members are safe to call from many threads.
/// </remarks>
public sealed class RedisClusterBus : IClusterBus, IBatchedWrites, IAsyncDisposable
{
    private readonly RedisConnection _connection;
    private readonly ILogger _logger;
    private readonly long _ttlMs;
    private readonly ConcurrentDictionary<string, long> _lastHeard = new(StringComparer.Ordinal);
    // A snapshot of _lastHeard's keys, rebuilt when a node comes or goes (rare), so reading it on every subscribe is free.
    private volatile string[] _members = [];
    private readonly Lock _gate = new();
    private List<(string? To, ReadOnlyMemory<byte> Message)> _queued = [];
    private bool _heartbeatDue;
    private bool _byeDue;
    private long _ownEcho;
    private IClusterBusHandler? _handler;
    private ChannelMessageQueue? _subscription;
    private Timer? _timer;
    private int _subscribing;

    internal RedisClusterBus(RedisConnection connection, ILogger<RedisClusterBus> logger)
    {
        _connection = connection;
        _logger = logger;
        _ttlMs = (long)connection.PresenceNodeTtl.TotalMilliseconds;
        NodeId = connection.NodeId;
    }

    /// <inheritdoc />
    public string NodeId { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<string> OtherNodes => _members;

    /// <inheritdoc />
    public async ValueTask StartAsync(IClusterBusHandler handler, CancellationToken cancellationToken)
    {
        _handler = handler;
        var multiplexer = await _connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        // A node starts without Redis: the subscription is then made when Redis is back (or at the next heartbeat).
        multiplexer.ConnectionRestored += (_, _) => EnsureSubscribed();
        await SubscribeAsync().ConfigureAwait(false);
        _connection.Writer.Attach(this);
        // The first heartbeat at once: the other nodes answer theirs, so membership settles in about a round trip.
        var period = TimeSpan.FromMilliseconds(_ttlMs / 3.0);
        _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, period);
    }

    /// <inheritdoc />
    public void Send(ReadOnlyMemory<byte> message, string? toNode = null)
    {
        lock (_gate)
        {
            _queued.Add((toNode, message));
        }

        _connection.Writer.Signal();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => StopAsync(CancellationToken.None);

    /// <inheritdoc />
    public async ValueTask StopAsync(CancellationToken cancellationToken)
    {
        var timer = Interlocked.Exchange(ref _timer, null);
        if (timer is null)
        {
            return;
        }

        await timer.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _byeDue = true;
        }

        try
        {
            await _connection.Writer.FlushedAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            if (_subscription is not null)
            {
                await _subscription.UnsubscribeAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or OperationCanceledException)
        {
            // Redis is gone (or the host stops no longer): the others take this node as lost after the time to live.
        }
    }

    void IBatchedWrites.Drain(IBatch batch, List<Task> commands)
    {
        List<(string? To, ReadOnlyMemory<byte> Message)> messages;
        bool heartbeat, bye;
        lock (_gate)
        {
            (messages, _queued) = (_queued, []);
            (heartbeat, bye) = (_heartbeatDue, _byeDue);
            (_heartbeatDue, _byeDue) = (false, false);
        }

        var channel = _connection.Keys.Control;
        if (heartbeat && messages.Count == 0)
        {
            commands.Add(batch.PublishAsync(channel, ControlFrame.Encode(ControlFrame.Messages, NodeId, messages, 0, 0)));
        }

        // As many messages per frame as fit the frame limit (at least one each).
        for (var start = 0; start < messages.Count;)
        {
            var (count, bytes) = (0, 0);
            while (start + count < messages.Count && (count == 0 || bytes + messages[start + count].Message.Length <= ControlFrame.MaxFrameBytes))
            {
                bytes += messages[start + count].Message.Length;
                count++;
            }

            commands.Add(batch.PublishAsync(channel, ControlFrame.Encode(ControlFrame.Messages, NodeId, messages, start, count)));
            start += count;
        }

        if (bye)
        {
            commands.Add(batch.PublishAsync(channel, ControlFrame.Encode(ControlFrame.Bye, NodeId, [], 0, 0)));
        }
    }

    private static long Now => Environment.TickCount64;

    private void EnsureSubscribed()
    {
        if (Volatile.Read(ref _subscription) is null)
        {
            _ = SubscribeAsync();
        }
    }

    private async Task SubscribeAsync()
    {
        if (Interlocked.Exchange(ref _subscribing, 1) == 1)
        {
            return;
        }

        try
        {
            var multiplexer = await _connection.GetAsync().ConfigureAwait(false);
            var queue = await multiplexer.GetSubscriber().SubscribeAsync(_connection.Keys.Control).ConfigureAwait(false);
            queue.OnMessage(OnFrame); // Sequential: frames of one node are handled in the order it sent them.
            Volatile.Write(ref _subscription, queue);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisLog.BusSubscribeFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _subscribing, 0);
        }
    }

    private void Tick()
    {
        EnsureSubscribed();
        lock (_gate)
        {
            _heartbeatDue = true;
        }

        _connection.Writer.Signal();

        // Lost: silent for the time to live, measured against this node's own echo, so that only a node whose own
        // link works judges others.
        var echo = Volatile.Read(ref _ownEcho);
        foreach (var (node, heard) in _lastHeard)
        {
            if (echo - heard > _ttlMs && _lastHeard.TryRemove(new KeyValuePair<string, long>(node, heard)))
            {
                UpdateMembers();
                RedisLog.NodeLost(_logger, node, (echo - heard) / 1000.0);
                _handler?.HandleNodeLost(node);
            }
        }
    }

    private void UpdateMembers()
    {
        lock (_gate)
        {
            _members = [.. _lastHeard.Keys];
        }
    }

    private void OnFrame(ChannelMessage message)
    {
        ReadOnlyMemory<byte> frame = (byte[])message.Message!;
        try
        {
            var (kind, origin, bodyStart) = ControlFrame.ReadHeader(frame.Span);
            var now = Now;
            if (origin == NodeId)
            {
                var previous = Interlocked.Exchange(ref _ownEcho, now);
                if (previous != 0 && now - previous > _ttlMs / 2)
                {
                    // This node heard nothing for a while (its link was down): it cannot judge the others by that time.
                    foreach (var node in _lastHeard.Keys)
                    {
                        _lastHeard[node] = now;
                    }
                }

                return;
            }

            if (kind == ControlFrame.Bye)
            {
                if (_lastHeard.TryRemove(origin, out _))
                {
                    UpdateMembers();
                    RedisLog.NodeLeft(_logger, origin);
                }

                return;
            }

            if (_lastHeard.TryAdd(origin, now))
            {
                UpdateMembers();
                RedisLog.NodeJoined(_logger, origin);
                Tick(); // Answer a newcomer's heartbeat with ours, so it knows this node at once.
            }
            else
            {
                _lastHeard[origin] = now;
                if (Array.IndexOf(_members, origin) < 0)
                {
                    UpdateMembers(); // Taken as lost a moment ago, and heard again.
                }
            }

            foreach (var (to, body) in ControlFrame.ReadMessages(frame, bodyStart))
            {
                if (to.Length == 0 || to == NodeId)
                {
                    _handler?.HandleMessage(origin, body);
                }
            }
        }
        catch (FormatException ex)
        {
            RedisLog.UndecodableFrame(_logger, ex);
        }
    }
}
