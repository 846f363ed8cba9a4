using System.Numerics;

namespace Switchboard.Bench;

/// <summary>
/// A log-linear latency histogram in microseconds (HdrHistogram's idea in 40 lines): exact below 128 µs, then 64
/// buckets per power of two, so every value is kept within 1.6 % and recording is one interlocked increment.
/// </summary>
/// <remarks>Thread safety: <see cref="Record"/> may be called from many threads at once; read after recording ends.</remarks>
internal sealed class LatencyHistogram
{
    private const int Linear = 128;
    private const int SubBuckets = 64;
    private readonly long[] _counts = new long[Linear + (64 - 7) * SubBuckets];
    private long _count;
    private long _max;
    private long _sum;

    public long Count => Interlocked.Read(ref _count);

    public long MaxMicroseconds => Interlocked.Read(ref _max);

    public double MeanMicroseconds => Count == 0 ? 0 : (double)Interlocked.Read(ref _sum) / Count;

    public void Record(long microseconds)
    {
        if (microseconds < 0)
        {
            microseconds = 0;
        }

        Interlocked.Increment(ref _counts[IndexOf(microseconds)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, microseconds);
        var max = Interlocked.Read(ref _max);
        while (microseconds > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, microseconds, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>The value at or below which <paramref name="percentile"/> % of the values fall (the bucket's upper edge, capped at the max).</summary>
    public long Percentile(double percentile)
    {
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * count);
        rank = Math.Clamp(rank, 1, count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), MaxMicroseconds);
            }
        }

        return MaxMicroseconds;
    }

    /// <summary>The non-empty buckets as (lower edge µs, upper edge µs, count), for the report's histogram.</summary>
    public IEnumerable<(long Low, long High, long Count)> Buckets()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] > 0)
            {
                yield return (LowerEdge(i), UpperEdge(i), _counts[i]);
            }
        }
    }

    private static int IndexOf(long value)
    {
        if (value < Linear)
        {
            return (int)value;
        }

        var msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var top = (int)(value >> (msb - 6)); // 64..127
        return Linear + ((msb - 7) * SubBuckets) + (top - SubBuckets);
    }

    private static long LowerEdge(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var msb = ((index - Linear) / SubBuckets) + 7;
        var top = ((index - Linear) % SubBuckets) + SubBuckets;
        return (long)top << (msb - 6);
    }

    private static long UpperEdge(int index) => index < Linear ? index : LowerEdge(index + 1) - 1;
}
