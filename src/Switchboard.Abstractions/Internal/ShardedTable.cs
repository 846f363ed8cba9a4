namespace Switchboard.Internal;

/// <summary>
/// A dictionary split into shards by the key's hash, each shard with its own lock, so that work on one key never
/// waits for work on keys of other shards. Each operation runs a caller's function on one key's entry under its shard's
/// lock: a read-modify-write is atomic per key, and nothing else is locked. The functions must be short and must not
/// block or await (they run under a lock); pass static lambdas with a state argument so that a call allocates nothing.
/// </summary>
/// <remarks>Thread safety: every member may be called from many threads. The registries of connections, subscriptions
/// and presence are built on it.</remarks>
internal sealed class ShardedTable<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private readonly Shard[] _shards;
    private readonly IEqualityComparer<TKey> _comparer;

    public ShardedTable(IEqualityComparer<TKey> comparer, int shardCount = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardCount);
        _comparer = comparer;
        _shards = new Shard[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            _shards[i] = new Shard(comparer);
        }
    }

    /// <summary>
    /// Changes the entry of <paramref name="key"/> atomically: <paramref name="change"/> gets the current value
    /// (<see langword="null"/> when absent) and returns the new one (<see langword="null"/> removes the entry) and a result.
    /// </summary>
    public TResult Change<TState, TResult>(TKey key, TState state, Func<TValue?, TState, (TValue? Value, TResult Result)> change)
    {
        var shard = ShardOf(key);
        lock (shard.Gate)
        {
            shard.Entries.TryGetValue(key, out var current);
            var (value, result) = change(current, state);
            if (value is null)
            {
                if (current is not null)
                {
                    shard.Entries.Remove(key);
                }
            }
            else if (!ReferenceEquals(value, current))
            {
                shard.Entries[key] = value;
            }

            return result;
        }
    }

    /// <summary>Reads the entry of <paramref name="key"/> (<see langword="null"/> when absent) under its shard's lock.</summary>
    public TResult Read<TState, TResult>(TKey key, TState state, Func<TValue?, TState, TResult> read)
    {
        var shard = ShardOf(key);
        lock (shard.Gate)
        {
            shard.Entries.TryGetValue(key, out var value);
            return read(value, state);
        }
    }

    /// <summary>A moment's view of every entry, shard by shard (each shard consistent in itself), mapped by <paramref name="select"/>.</summary>
    public List<TResult> Select<TResult>(Func<TKey, TValue, TResult> select)
    {
        var results = new List<TResult>();
        foreach (var shard in _shards)
        {
            lock (shard.Gate)
            {
                foreach (var (key, value) in shard.Entries)
                {
                    results.Add(select(key, value));
                }
            }
        }

        return results;
    }

    private Shard ShardOf(TKey key) => _shards[(uint)_comparer.GetHashCode(key) % (uint)_shards.Length];

    private sealed class Shard(IEqualityComparer<TKey> comparer)
    {
        public Lock Gate { get; } = new();

        public Dictionary<TKey, TValue> Entries { get; } = new(comparer);
    }
}
