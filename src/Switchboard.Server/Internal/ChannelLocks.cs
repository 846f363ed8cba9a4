using Switchboard.Internal;

namespace Switchboard.Server.Internal;

/// <summary>
/// An async lock per channel, held across the broker (un)subscribe that follows a node's first local subscriber or
/// its last one leaving, so that a quick unsubscribe-resubscribe of one channel can never leave the node unsubscribed
/// while it has subscribers. Channels never wait for each other; a lock exists only while someone holds or awaits it.
/// </summary>
/// <remarks>Thread safety: safe from many threads.</remarks>
internal sealed class ChannelLocks
{
    private readonly ShardedTable<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>Waits for the lock of <paramref name="channel"/>; dispose the result to release it.</summary>
    public async ValueTask<Releaser> LockAsync(string channel, CancellationToken cancellationToken)
    {
        var gate = _gates.Change(channel, 0, static (gate, _) =>
        {
            gate ??= new Gate();
            gate.Users++;
            return (gate, gate);
        });
        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(channel, gate);
            throw;
        }

        return new Releaser(this, channel, gate);
    }

    private void Leave(string channel, Gate gate) =>
        _gates.Change(channel, gate, static (current, gate) =>
        {
            gate.Users--;
            return (gate.Users == 0 ? null : current, 0);
        });

    /// <summary>Holds a channel's lock until disposed.</summary>
    public readonly struct Releaser(ChannelLocks locks, string channel, Gate gate) : IDisposable
    {
        public void Dispose()
        {
            gate.Semaphore.Release();
            locks.Leave(channel, gate);
        }
    }

    /// <summary>One channel's lock and how many hold or await it (guarded by its table shard's lock).</summary>
    internal sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
