using StackExchange.Redis;
using Switchboard.Redis.Internal;

namespace Switchboard.Redis;

/// <summary>The store's side of the node's batched writer: what is queued, and how a batch is written or retried.</summary>
public sealed partial class RedisPresenceStore
{
    /// <summary>Queues one change; the last change of a client in a batch wins. Called under the local lock.</summary>
    private void Queue(string channel, string client, byte[]? value)
    {
        if (!_changes.TryGetValue(channel, out var clients))
        {
            _changes[channel] = clients = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        }

        clients[client] = value;
    }

    void IBatchedWrites.Drain(IBatch batch, List<Task> commands)
    {
        Dictionary<string, Dictionary<string, byte[]?>> changes;
        lock (_localGate)
        {
            if (_changes.Count == 0)
            {
                return;
            }

            changes = _changes;
            _changes = new Dictionary<string, Dictionary<string, byte[]?>>(StringComparer.Ordinal);
            _inFlight = changes;
        }

        if (!_alive)
        {
            // Entries must never be written before the liveness key: a reader would take them for a dead node's.
            _aliveInFlight = true;
            commands.Add(batch.StringSetAsync(_nodeKey, 1, _nodeTtl));
        }

        foreach (var (channel, clients) in changes)
        {
            var key = _keys.Presence(channel);
            var added = clients.Where(static c => c.Value is not null).Select(static c => new HashEntry(c.Key, c.Value)).ToArray();
            var removed = clients.Where(static c => c.Value is null).Select(static c => (RedisValue)c.Key).ToArray();
            if (added.Length > 0)
            {
                commands.Add(batch.HashSetAsync(key, added));
                commands.Add(batch.KeyExpireAsync(key, HashTtl));
            }

            if (removed.Length > 0)
            {
                commands.Add(batch.HashDeleteAsync(key, removed));
            }
        }
    }

    void IBatchedWrites.Written(Exception? failure)
    {
        lock (_localGate)
        {
            var written = _inFlight;
            _inFlight = null;
            if (written is null)
            {
                return;
            }

            if (failure is null)
            {
                _alive |= _aliveInFlight;
                _aliveInFlight = false;
                return;
            }

            // Queued again under what changed since (newer wins); the refresh timer signals the writer to retry.
            foreach (var (channel, clients) in written)
            {
                foreach (var (client, value) in clients)
                {
                    if (!_changes.TryGetValue(channel, out var now) || !now.ContainsKey(client))
                    {
                        Queue(channel, client, value);
                    }
                }
            }
        }
    }
}
