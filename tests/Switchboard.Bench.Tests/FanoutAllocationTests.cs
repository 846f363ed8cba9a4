using Switchboard.Benchmarks;

namespace Switchboard.Bench.Tests;

/// <summary>
/// The fan-out path allocates a constant amount per publication, whatever the subscriber count: nothing per delivery.
/// Measured with the allocation counter of the delivering thread around the real registry's Deliver (an allocation
/// test, not a timing one).
/// </summary>
public sealed class FanoutAllocationTests
{
    private const int Publications = 20;

    // Without running writers the queues only fill: one warm-up and three measured publications stay within a queue's
    // initial capacity (4), so that growing a queue (amortised, once per doubling) is not counted as a per-delivery cost.
    private const int QueuedPublications = 3;

    private const int Warmup = 10;

    [Fact]
    public void Fan_out_to_queued_writers_allocates_nothing_per_subscriber()
    {
        var few = BytesPerPublication(100);
        var many = BytesPerPublication(10_000);

        Assert.Equal(0, few);
        Assert.Equal(0, many);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(10_000)]
    public void Fan_out_that_wakes_running_writers_allocates_a_bounded_amount_per_publication(int subscribers)
    {
        using var rig = new FanoutRig(subscribers, runWriters: true);
        var publications = Enumerable.Range(0, Warmup + Publications).Select(_ => rig.NextPublication()).ToArray();
        foreach (var publication in publications)
        {
            _ = publication.Encoded;
        }

        // Waking a waiting writer queues a work item on the thread pool. Its queue grows by segments until it holds
        // one wake-up per subscriber (a one-time cost, measured at 256 KiB for 10,000), and then reuses them.
        var perPublication = new List<long>();
        for (var i = 0; i < Warmup + Publications; i++)
        {
            // Every writer back to waiting, so that each delivery wakes all of them: the most work per publication.
            Assert.True(SpinWait.SpinUntil(() => rig.QueuedBytes == 0, TimeSpan.FromSeconds(10)), "the writers did not drain");
            var before = GC.GetAllocatedBytesForCurrentThread();
            rig.Registry.Deliver(publications[i]);
            if (i >= Warmup)
            {
                perPublication.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }

        // An allocation per delivery would show in every publication. Other tests running in parallel may still make
        // the shared thread-pool queue grow once or twice, hence the allowance.
        Assert.True(perPublication.Count(bytes => bytes == 0) >= Publications - 2, $"bytes per publication: {string.Join(", ", perPublication)}");
    }

    private static long BytesPerPublication(int subscribers)
    {
        using var rig = new FanoutRig(subscribers, runWriters: false);
        var publications = Enumerable.Range(0, QueuedPublications + 1).Select(_ => rig.NextPublication()).ToArray();
        foreach (var publication in publications)
        {
            _ = publication.Encoded; // Encoding once per publication is the broker handler's constant cost, outside this count.
        }

        rig.Registry.Deliver(publications[0]); // Warm: the subscriber snapshot is built once, on the first delivery.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i <= QueuedPublications; i++)
        {
            rig.Registry.Deliver(publications[i]);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / QueuedPublications;
    }
}
