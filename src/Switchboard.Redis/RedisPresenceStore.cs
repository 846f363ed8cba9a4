using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Redis.Internal;
using Switchboard.Brokers;
using Switchboard.Presence;

namespace Switchboard.Redis;

/// <summary>
/// The cluster presence store: one Redis hash per channel (field = client id) shared by every node, so that the
/// <c>presence</c> command on any node lists the clients of all nodes.
/// </summary>
/// <remarks>
/// Each entry names the node that added it. A node keeps a liveness key with a time to live of
/// <see cref="SwitchboardRedisOptions.PresenceNodeTtl"/>, refreshed every third of it; readers drop (and delete) the
/// entries of nodes whose key is gone, so a node that died without removing its entries disappears from presence
/// within that time. The channel hashes a node has entries in get their time to live (three times the node's)
/// refreshed with it, so a hash left only by dead nodes expires by itself. A node that lost its liveness key (Redis
/// restarted, or the node was cut off) writes its entries again on the next refresh.
/// Writes are batched per node: <see cref="AddAsync"/> and <see cref="RemoveAsync"/> queue the change (O(1), no round
/// trip of their own) and complete when the node's writer has sent the batch that carries it: whatever was queued,
/// in one pipeline, at most <see cref="SwitchboardRedisOptions.BatchInterval"/> after the first change, one
/// <c>HSET</c>/<c>HDEL</c> and <c>EXPIRE</c> per channel however many clients changed, an add and a remove of one
/// client in the same batch cancelling out. So a completed change is read by every node. A batch that fails is
/// logged, and its changes are queued again (the call still completes: presence is best effort).
/// Thread safety: all members are safe to call from many threads.
/// </remarks>
public sealed partial class RedisPresenceStore : IPresenceStore, IBatchedWrites, IAsyncDisposable
{
    private readonly RedisConnection _connection;
    private readonly RedisKeys _keys;
    private readonly ILogger _logger;
    private readonly string _nodeId;
    private readonly RedisNodeWriter _writer;
    private readonly RedisKey _nodeKey;
    private readonly TimeSpan _nodeTtl;
    private readonly Timer _refresher;
    // This node's own entries (channel -> client -> stored value), to refresh hash lifetimes and rewrite after a loss.
    private readonly Dictionary<string, Dictionary<string, byte[]>> _local = new(StringComparer.Ordinal);
    private readonly Lock _localGate = new();
    // Changes not yet written (client -> value, null for a removal), and those of the batch being written.
    private Dictionary<string, Dictionary<string, byte[]?>> _changes = new(StringComparer.Ordinal);
    private Dictionary<string, Dictionary<string, byte[]?>>? _inFlight;
    private volatile bool _alive;
    private bool _aliveInFlight;
    private int _refreshing;

    internal RedisPresenceStore(RedisConnection connection, ILogger<RedisPresenceStore> logger)
    {
        _connection = connection;
        _keys = connection.Keys;
        _logger = logger;
        _nodeId = connection.NodeId;
        _writer = connection.Writer;
        _nodeKey = _keys.Node(_nodeId);
        _nodeTtl = connection.PresenceNodeTtl;
        _refresher = new Timer(_ => _ = RefreshAsync(), null, _nodeTtl / 3, _nodeTtl / 3);
        _writer.Attach(this);
    }

    private TimeSpan HashTtl => _nodeTtl * 3;

    /// <inheritdoc />
    public ValueTask AddAsync(string channel, PresenceEntry entry, CancellationToken cancellationToken)
    {
        var value = PresenceEntryCodec.Encode(_nodeId, entry);
        lock (_localGate)
        {
            if (!_local.TryGetValue(channel, out var clients))
            {
                _local[channel] = clients = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            }

            clients[entry.Client] = value;
            Queue(channel, entry.Client, value);
        }

        // Completes with the batch that carries the change: then every node reads it.
        return new ValueTask(_writer.FlushedAsync().WaitAsync(cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(string channel, string client, CancellationToken cancellationToken)
    {
        lock (_localGate)
        {
            if (_local.TryGetValue(channel, out var clients) && clients.Remove(client) && clients.Count == 0)
            {
                _local.Remove(channel);
            }

            Queue(channel, client, null);
        }

        return new ValueTask(_writer.FlushedAsync().WaitAsync(cancellationToken));
    }

    /// <inheritdoc />
    /// <remarks>
    /// Every node that watches the channel asks, each for its own watchers, so the entries are not deleted here (the
    /// first node would take them from the others): the lost node's liveness key is, so that no node lists them any
    /// more, and reads delete them later (or the hash expires).
    /// </remarks>
    public async ValueTask<IReadOnlyList<PresenceEntry>> RemoveNodeAsync(string channel, string node, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var batch = database.CreateBatch();
        var dead = batch.KeyDeleteAsync(_keys.Node(node));
        var read = batch.HashGetAllAsync(_keys.Presence(channel));
        batch.Execute();
        await Run(Task.WhenAll(dead, read), cancellationToken).ConfigureAwait(false);
        var removed = new List<PresenceEntry>();
        foreach (var field in read.Result)
        {
            if (PresenceEntryCodec.TryDecode(field.Name.ToString(), (byte[])field.Value!, out var owner, out var entry) && owner == node)
            {
                removed.Add(entry);
            }
        }

        return removed;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PresenceEntry>> GetAsync(string channel, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var key = _keys.Presence(channel);
        var fields = await Run(database.HashGetAllAsync(key), cancellationToken).ConfigureAwait(false);
        if (fields.Length == 0)
        {
            return [];
        }

        var decoded = new List<(string Client, string Node, PresenceEntry Entry)>(fields.Length);
        foreach (var field in fields)
        {
            var client = field.Name.ToString();
            if (PresenceEntryCodec.TryDecode(client, (byte[])field.Value!, out var node, out var entry))
            {
                decoded.Add((client, node, entry));
            }
        }

        // Which other nodes are still alive: one EXISTS per distinct node, sent together.
        var alive = new Dictionary<string, Task<bool>>(StringComparer.Ordinal);
        var batch = database.CreateBatch();
        foreach (var (_, node, _) in decoded)
        {
            if (node != _nodeId && !alive.ContainsKey(node))
            {
                alive[node] = batch.KeyExistsAsync(_keys.Node(node));
            }
        }

        batch.Execute();
        await Run(Task.WhenAll(alive.Values), cancellationToken).ConfigureAwait(false);

        var entries = new List<PresenceEntry>(decoded.Count);
        var dead = new List<RedisValue>();
        foreach (var (client, node, entry) in decoded)
        {
            if (node == _nodeId || alive[node].Result)
            {
                entries.Add(entry);
            }
            else
            {
                dead.Add(client);
            }
        }

        if (dead.Count > 0)
        {
            // Clean up after the dead node; best effort, the entries are already left out.
            _ = database.HashDeleteAsync(key, [.. dead], CommandFlags.FireAndForget);
        }

        return entries;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _refresher.DisposeAsync().ConfigureAwait(false);
        if (_alive)
        {
            try
            {
                // Gone on purpose: other nodes stop listing anything this node left behind at once.
                var database = await DatabaseAsync(CancellationToken.None).ConfigureAwait(false);
                await database.KeyDeleteAsync(_nodeKey).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Redis is gone: the key expires by itself.
            }
        }
    }

    private async ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken) =>
        (await _connection.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();

    private async Task RefreshAsync()
    {
        bool retry;
        lock (_localGate)
        {
            retry = _changes.Count > 0;
        }

        if (retry)
        {
            _writer.Signal(); // Changes of a failed batch.
        }

        if (!_alive || Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            var database = await DatabaseAsync(CancellationToken.None).ConfigureAwait(false);
            var created = await database.StringSetAsync(_nodeKey, 1, _nodeTtl, When.NotExists).ConfigureAwait(false);
            if (!created)
            {
                await database.KeyExpireAsync(_nodeKey, _nodeTtl).ConfigureAwait(false);
            }

            List<(string Channel, KeyValuePair<string, byte[]>[] Clients)> local;
            lock (_localGate)
            {
                local = [.. _local.Select(c => (c.Key, c.Value.ToArray()))];
            }

            var batch = database.CreateBatch();
            var pending = new List<Task>(local.Count * 2);
            foreach (var (channel, clients) in local)
            {
                var key = _keys.Presence(channel);
                if (created)
                {
                    // The liveness key was gone, so readers may have deleted our entries: write them again.
                    pending.Add(batch.HashSetAsync(key, [.. clients.Select(c => new HashEntry(c.Key, c.Value))]));
                }

                pending.Add(batch.KeyExpireAsync(key, HashTtl));
            }

            batch.Execute();
            await Task.WhenAll(pending).ConfigureAwait(false);
            if (created)
            {
                await DeleteRemovedMeanwhileAsync(database, local).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisLog.PresenceRefreshFailed(_logger, ex);
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    /// <summary>A client that left while its entry was being written again must not stay listed.</summary>
    private async Task DeleteRemovedMeanwhileAsync(IDatabase database, List<(string Channel, KeyValuePair<string, byte[]>[] Clients)> written)
    {
        var gone = new List<(string Channel, string Client)>();
        lock (_localGate)
        {
            foreach (var (channel, clients) in written)
            {
                _local.TryGetValue(channel, out var now);
                gone.AddRange(clients.Where(c => now is null || !now.ContainsKey(c.Key)).Select(c => (channel, c.Key)));
            }
        }

        foreach (var (channel, client) in gone)
        {
            await database.HashDeleteAsync(_keys.Presence(channel), client).ConfigureAwait(false);
        }
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
    }

    private static async Task Run(Task operation, CancellationToken cancellationToken)
    {
        try
        {
            await operation.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or TimeoutException)
        {
            throw new BrokerUnavailableException("Redis is unavailable.", ex);
        }
    }
}
