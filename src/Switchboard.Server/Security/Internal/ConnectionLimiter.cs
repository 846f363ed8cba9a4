using System.Collections.Concurrent;

namespace Switchboard.Server.Security.Internal;

/// <summary>Counts open connections in total, per IP address, per user and waiting to authenticate, against the limits.</summary>
/// <remarks>
/// Thread safety: safe from many threads. Counts are kept per key in a <see cref="ConcurrentDictionary{TKey,TValue}"/>
/// (striped locks, lock-free reads) and a key whose count returns to zero is removed, so memory follows the open
/// connections, not every address ever seen.
/// </remarks>
internal sealed class ConnectionLimiter
{
    private readonly ConcurrentDictionary<string, int> _perIp = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private int _total;
    private int _pending;

    public int Total => Volatile.Read(ref _total);

    public int Pending => Volatile.Read(ref _pending);

    public bool TryEnterTotal(int limit) => TryIncrement(ref _total, limit);

    public void ExitTotal() => Interlocked.Decrement(ref _total);

    public bool TryEnterPending(int limit) => TryIncrement(ref _pending, limit);

    public void ExitPending() => Interlocked.Decrement(ref _pending);

    public bool TryEnterIp(string address, int limit) => TryEnter(_perIp, address, limit);

    public void ExitIp(string address) => Exit(_perIp, address);

    public bool TryEnterUser(string userId, int limit) => TryEnter(_perUser, userId, limit);

    public void ExitUser(string userId) => Exit(_perUser, userId);

    private static bool TryIncrement(ref int counter, int limit)
    {
        if (limit <= 0)
        {
            Interlocked.Increment(ref counter);
            return true;
        }

        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current >= limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    private static bool TryEnter(ConcurrentDictionary<string, int> counts, string key, int limit)
    {
        while (true)
        {
            if (!counts.TryGetValue(key, out var current))
            {
                if (counts.TryAdd(key, 1))
                {
                    return true;
                }

                continue;
            }

            if (limit > 0 && current >= limit)
            {
                return false;
            }

            if (counts.TryUpdate(key, current + 1, current))
            {
                return true;
            }
        }
    }

    private static void Exit(ConcurrentDictionary<string, int> counts, string key)
    {
        while (counts.TryGetValue(key, out var current))
        {
            // Removing only the exact pair (key, 1) never loses a concurrent increment.
            if (current <= 1 ? counts.TryRemove(new KeyValuePair<string, int>(key, current)) : counts.TryUpdate(key, current - 1, current))
            {
                return;
            }
        }
    }
}
