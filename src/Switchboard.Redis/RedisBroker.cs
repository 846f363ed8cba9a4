using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using StreamPosition = Switchboard.Protocol.StreamPosition;
using Switchboard.Protocol;
using Switchboard.Redis.Internal;
using Switchboard.Brokers;

namespace Switchboard.Redis;

/// <summary>
/// The cluster broker: every node of a Switchboard cluster publishes through one Redis and receives, through Redis
/// pub/sub, the publications of the channels and patterns it has local subscribers for.
/// </summary>
/// <remarks>
/// Gives the guarantees of <see cref="IBroker"/> across nodes:
/// <list type="bullet">
/// <item>A publish is one Lua script: it checks the idempotency key, takes the next offset, appends to the capped
/// history list, and PUBLISHes the encoded publication, atomically. So offsets are consecutive whichever node
/// publishes, and a publication is in history before any node can receive it.</item>
/// <item>The node holds one Redis subscription per channel or pattern with local subscribers (never one per
/// connection); each is read from its own ordered queue, so a channel's publications reach the handler in offset
/// order (twice when a channel and a pattern both match it: the node drops the repeat).</item>
/// <item>Publications sent while this node's pub/sub connection is down are missed; when it is back (and its
/// subscriptions restored) the broker calls <see cref="IBrokerEventHandler.HandleDeliveryRestored"/>, and the node
/// fills the gaps from history. A stream whose keys are lost (Redis restarted without persistence, flushed, or
/// expired) starts a new epoch.</item>
/// <item>When Redis cannot be reached, every member throws <see cref="BrokerUnavailableException"/> at once.</item>
/// </list>
/// Thread safety: all members are safe to call from many threads.
/// </remarks>
public sealed class RedisBroker : IBroker, IAsyncDisposable
{
    // How long an idle stream's epoch and offset outlive its last use at least, as the memory broker's sweep does.
    private const long MinimumStreamLifetimeMs = 60_000;

    private readonly RedisConnection _connection;
    private readonly RedisKeys _keys;
    private readonly ILogger _logger;
    private readonly Dictionary<ChannelPattern, ChannelMessageQueue> _subscriptions = [];
    private readonly Lock _subscriptionsGate = new();
    private readonly DeliveryPump _pump;
    private IBrokerEventHandler? _handler;
    private ConnectionMultiplexer? _multiplexer;

    internal RedisBroker(RedisConnection connection, ILogger<RedisBroker> logger)
    {
        _connection = connection;
        _keys = connection.Keys;
        _logger = logger;
        _pump = new DeliveryPump("Switchboard Redis delivery", ex => RedisLog.DeliveryFailed(_logger, ex));
    }

    /// <inheritdoc />
    public async ValueTask StartAsync(IBrokerEventHandler handler, CancellationToken cancellationToken)
    {
        _handler = handler;
        _multiplexer = await _connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _multiplexer.ConnectionRestored += OnConnectionRestored;
    }

    /// <inheritdoc />
    public async ValueTask<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        var database = Multiplexer.GetDatabase();
        var hasKey = request.IdempotencyKey is not null;
        RedisKey[] keys = [_keys.Meta(request.Channel), _keys.History(request.Channel), hasKey ? _keys.Idempotency(request.Channel, request.IdempotencyKey!) : _keys.Meta(request.Channel)];
        RedisValue[] args =
        [
            NewEpoch(),
            PublicationCodec.EncodeBody(request.Data, request.From),
            Math.Max(0, request.History.Size),
            Milliseconds(request.History.Ttl),
            Milliseconds(request.IdempotencyWindow),
            _keys.PublicationChannel(request.Channel),
            hasKey ? "1" : "0",
            MinimumStreamLifetimeMs,
        ];

        var result = (RedisResult[])(await Run(database.ScriptEvaluateAsync(RedisScripts.Publish, keys, args), cancellationToken).ConfigureAwait(false))!;
        var position = PublicationCodec.DecodePosition((byte[])result[1]!);
        return new PublishResult(position, Duplicate: (long)result[0] == 0);
    }

    /// <inheritdoc />
    public async ValueTask SubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken)
    {
        var queue = await Run(Multiplexer.GetSubscriber().SubscribeAsync(_keys.Subscription(channel)), cancellationToken).ConfigureAwait(false);
        // One read loop per subscription, on the delivery pump's thread: in order, and off the thread pool.
        _pump.Run(() => ReadAsync(channel, queue));
        lock (_subscriptionsGate)
        {
            _subscriptions[channel] = queue;
        }
    }

    /// <inheritdoc />
    public async ValueTask UnsubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken)
    {
        ChannelMessageQueue? queue;
        lock (_subscriptionsGate)
        {
            _subscriptions.Remove(channel, out queue);
        }

        if (queue is null)
        {
            return;
        }

        try
        {
            await queue.UnsubscribeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The last local subscriber is gone either way; a stale Redis subscription only costs dropped messages.
            RedisLog.UnsubscribeFailed(_logger, channel.Value, ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        var database = Multiplexer.GetDatabase();
        RedisKey[] keys = [_keys.Meta(channel), _keys.History(channel)];
        RedisValue[] args = [NewEpoch(), query.Since?.Offset ?? -1, query.Limit is { } limit ? Math.Max(0, limit) : -1, MinimumStreamLifetimeMs];
        var result = (RedisResult[])(await Run(database.ScriptEvaluateAsync(RedisScripts.Read, keys, args), cancellationToken).ConfigureAwait(false))!;
        var position = new StreamPosition((long)result[1], (string)result[0]!);
        var now = (long)result[2];
        var held = new List<Publication>();
        foreach (var entry in (RedisResult[])result[3]!)
        {
            var publication = PublicationCodec.Decode(channel, (byte[])entry!, out var expires);
            if (expires > now)
            {
                held.Add(publication);
            }
        }

        return HistoryReader.Read(position, held, query);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        ChannelMessageQueue[] queues;
        lock (_subscriptionsGate)
        {
            queues = [.. _subscriptions.Values];
            _subscriptions.Clear();
        }

        foreach (var queue in queues)
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Shutting down: Redis drops the subscriptions with the connection anyway.
            }
        }

        if (_multiplexer is not null)
        {
            _multiplexer.ConnectionRestored -= OnConnectionRestored;
        }

        _pump.Dispose();
    }

    private ConnectionMultiplexer Multiplexer => _multiplexer ?? throw new InvalidOperationException("The broker has not been started.");

    /// <summary>
    /// Reads one subscription until it is unsubscribed. Runs on <see cref="_pump"/>, and its await has no
    /// <c>ConfigureAwait(false)</c> on purpose: the continuation is posted back to the pump's thread.
    /// </summary>
    private async Task ReadAsync(ChannelPattern subscription, ChannelMessageQueue queue)
    {
        try
        {
            while (true)
            {
                while (queue.TryRead(out var message))
                {
                    OnMessage(subscription, message);
                }

#pragma warning disable CA2007 // Continuing on the captured context (the pump) is the point.
                OnMessage(subscription, await queue.ReadAsync());
#pragma warning restore CA2007
            }
        }
        catch (ChannelClosedException)
        {
            // Unsubscribed, or the multiplexer is gone: the subscription has ended.
        }
    }

    private void OnMessage(ChannelPattern subscription, ChannelMessage message)
    {
        try
        {
            Deliver(subscription, message);
        }
#pragma warning disable CA1031 // A failure in one publication's fan-out must not end the channel's read loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RedisLog.DeliveryFailed(_logger, ex);
        }
    }

    private void Deliver(ChannelPattern subscription, ChannelMessage message)
    {
        var redisChannel = message.Channel.ToString();
        var channel = _keys.ChannelOf(redisChannel);
        // A pattern's glob also matches channels its NATS-style wildcard does not (it crosses dots): filter here.
        if (channel is null || !subscription.Matches(channel))
        {
            return;
        }

        Publication publication;
        try
        {
            publication = PublicationCodec.Decode(channel, (byte[])message.Message!, out _);
        }
        catch (FormatException ex)
        {
            RedisLog.UndecodableMessage(_logger, redisChannel, ex);
            return;
        }

        _handler!.HandlePublication(publication);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _ = SignalRestoredAsync();
        }
    }

    /// <summary>
    /// StackExchange.Redis re-sends this node's SUBSCRIBEs on the restored link; a PING on the same link is answered
    /// after them, so once it returns the node receives again, and a history read then misses nothing.
    /// </summary>
    private async Task SignalRestoredAsync()
    {
        try
        {
            await Multiplexer.GetSubscriber().PingAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Lost again at once: the next restore signals again; meanwhile the node checks what it can.
        }

        RedisLog.DeliveryRestored(_logger);
        _handler?.HandleDeliveryRestored();
    }

    private static async Task<T> Run<T>(Task<T> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or TimeoutException)
        {
            throw new BrokerUnavailableException("Redis is unavailable.", ex);
        }
        catch (RedisServerException ex) when (IsTransient(ex.Message))
        {
            throw new BrokerUnavailableException("Redis cannot take this now.", ex);
        }
    }

    // Redis errors that say "not now" rather than "wrong": starting up, failing over, full (noeviction), busy.
    private static bool IsTransient(string message) =>
        message.StartsWith("LOADING", StringComparison.Ordinal) || message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("OOM", StringComparison.Ordinal) || message.StartsWith("READONLY", StringComparison.Ordinal)
        || message.StartsWith("BUSY", StringComparison.Ordinal) || message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
        || message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal);

    private static string NewEpoch() => Guid.NewGuid().ToString("N")[..8];

    private static long Milliseconds(TimeSpan value) => Math.Max(0, (long)value.TotalMilliseconds);
}
