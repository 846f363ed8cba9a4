using Switchboard.Redis.Internal;

namespace Switchboard.Redis.Tests;

/// <summary>The Redis broker's delivery thread: loops started on it continue on it, in order, and survive a failure.</summary>
public sealed class DeliveryPumpTests
{
    [Fact]
    public async Task A_loop_started_on_the_pump_continues_on_its_thread_after_each_await()
    {
        var errors = new List<Exception>();
        using var pump = new DeliveryPump("test pump", errors.Add);
        var source = System.Threading.Channels.Channel.CreateUnbounded<int>(new() { AllowSynchronousContinuations = false });
        var threads = new List<int>();
        var values = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pump.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                // No ConfigureAwait(false): what the broker's read loop does.
                values.Add(await source.Reader.ReadAsync());
                threads.Add(Environment.CurrentManagedThreadId);
            }

            done.SetResult();
        });

        // Written from thread-pool threads, as StackExchange.Redis's reader writes its queue from its own threads.
        await Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                source.Writer.TryWrite(i);
                if (i % 10 == 0)
                {
                    await Task.Yield();
                }
            }
        });

        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, 50), values);
        Assert.Single(threads.Distinct());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_failing_item_is_reported_and_the_next_one_still_runs()
    {
        var errors = new List<Exception>();
        using var pump = new DeliveryPump("test pump", e => { lock (errors) { errors.Add(e); } });
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pump.Post(_ => throw new InvalidOperationException("boom"), null);
        pump.Post(_ => ran.SetResult(), null);

        await ran.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lock (errors)
        {
            Assert.Equal("boom", Assert.Single(errors).Message);
        }
    }
}
