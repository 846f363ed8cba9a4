namespace Switchboard.Bench;

/// <summary>
/// Counts deliveries per published message (by sequence number), so that loss and duplicates are counted message by
/// message rather than inferred from totals. Sequence numbers are global across the rate steps of one run; a ledger
/// covers the sequence numbers from its <c>first</c> on, and older ones (late arrivals from a previous step) are ignored.
/// </summary>
/// <remarks>Thread safety: <see cref="Count"/> may be called from many threads; <see cref="Ensure"/> from the one publisher.</remarks>
internal sealed class DeliveryLedger
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private const int MaxChunks = 4096; // 268 million messages per step: far more than a step publishes.

    private readonly int[]?[] _chunks = new int[MaxChunks][];
    private readonly long _first;
    private long _delivered;

    public DeliveryLedger(long first) => _first = first;

    public long First => _first;

    /// <summary>Deliveries counted (duplicates included).</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Makes room for <paramref name="sequence"/> before it is published, so that receivers never allocate.</summary>
    public void Ensure(long sequence)
    {
        var chunk = (sequence - _first) >> ChunkBits;
        if (chunk < MaxChunks && Volatile.Read(ref _chunks[chunk]) is null)
        {
            Volatile.Write(ref _chunks[chunk], new int[ChunkSize]);
        }
    }

    /// <summary>Counts one delivery; returns <see langword="false"/> for a sequence number this ledger does not cover.</summary>
    public bool Count(long sequence)
    {
        var relative = sequence - _first;
        if (relative < 0)
        {
            return false;
        }

        var chunk = Volatile.Read(ref _chunks[Math.Min(relative >> ChunkBits, MaxChunks - 1)]);
        if (chunk is null || (relative >> ChunkBits) >= MaxChunks)
        {
            return false;
        }

        Interlocked.Increment(ref chunk[relative & (ChunkSize - 1)]);
        Interlocked.Increment(ref _delivered);
        return true;
    }

    /// <summary>Compares deliveries with what was expected for the sequence numbers <c>[First, end)</c>.</summary>
    /// <param name="end">One past the last sequence number published.</param>
    /// <param name="expectedFor">How many deliveries a sequence number should have (its channel's subscriber count).</param>
    public (long Expected, long Delivered, long Lost, long Duplicated) Tally(long end, Func<long, int> expectedFor)
    {
        long expected = 0, delivered = 0, lost = 0, duplicated = 0;
        for (var sequence = _first; sequence < end; sequence++)
        {
            var relative = sequence - _first;
            var chunk = _chunks[relative >> ChunkBits];
            var got = chunk is null ? 0 : Volatile.Read(ref chunk[relative & (ChunkSize - 1)]);
            var want = expectedFor(sequence);
            expected += want;
            delivered += got;
            if (got < want)
            {
                lost += want - got;
            }
            else if (got > want)
            {
                duplicated += got - want;
            }
        }

        return (expected, delivered, lost, duplicated);
    }
}
