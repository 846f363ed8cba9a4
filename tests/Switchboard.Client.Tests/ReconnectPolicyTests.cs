namespace Switchboard.Client.Tests;

/// <summary>The backoff computation is pure: the tests assert on computed delays, never by sleeping through them.</summary>
public sealed class ReconnectPolicyTests
{
    private static readonly ReconnectPolicy Policy = new() { MinDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(5) };

    [Fact]
    public void Delays_stay_within_bounds_that_double_per_attempt_up_to_the_maximum()
    {
        var random = new Random(1234);
        var previousCeiling = TimeSpan.Zero;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var (min, max) = Policy.GetBounds(attempt);
            Assert.Equal(Policy.MinDelay, min);
            Assert.Equal(attempt < 5 ? TimeSpan.FromMilliseconds(100 << (attempt + 1)) : Policy.MaxDelay, max);
            Assert.True(max >= previousCeiling);
            previousCeiling = max;
            for (var i = 0; i < 200; i++)
            {
                Assert.InRange(Policy.GetDelay(attempt, random.NextDouble()), min, max);
            }
        }
    }

    [Fact]
    public void Delays_have_full_jitter_and_grow_on_average()
    {
        var random = new Random(42);
        double Mean(int attempt) => Enumerable.Range(0, 2000).Average(_ => Policy.GetDelay(attempt, random.NextDouble()).TotalMilliseconds);
        var samples = Enumerable.Range(0, 2000).Select(_ => Policy.GetDelay(3, random.NextDouble())).ToList();

        // Full jitter spreads the delays over the whole range, so reconnecting clients do not arrive together.
        Assert.True(samples.Min() < TimeSpan.FromMilliseconds(200), $"min {samples.Min()}");
        Assert.True(samples.Max() > TimeSpan.FromMilliseconds(1500), $"max {samples.Max()}");
        Assert.True(samples.Distinct().Count() > 1000);
        Assert.True(Mean(0) < Mean(1) && Mean(1) < Mean(2) && Mean(2) < Mean(3) && Mean(3) < Mean(4));
        Assert.InRange(Mean(20), 2400, 2700); // Capped: uniform between 100 ms and 5 s.
    }

    [Fact]
    public void The_extremes_of_the_random_number_give_the_bounds()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), Policy.GetDelay(7, 0));
        Assert.Equal(Policy.MaxDelay, Policy.GetDelay(7, 1));
        Assert.Equal(Policy.MaxDelay, Policy.GetDelay(int.MaxValue, 1)); // Retrying forever does not overflow.
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy.GetDelay(-1, 0.5));
    }

    [Fact]
    public async Task The_client_waits_the_computed_delays_between_failed_attempts()
    {
        var policy = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(80), MaxAttempts = 6 };
        var retries = new List<(int Attempt, TimeSpan Delay)>();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = new Uri("ws://127.0.0.1:1/ws"), Reconnect = policy });
        client.StateChanged += (_, e) =>
        {
            if (e.RetryIn is { } delay)
            {
                retries.Add((e.Attempt, delay));
            }
        };
        await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(15)));

        Assert.Equal([0, 1, 2, 3, 4, 5], retries.Select(r => r.Attempt));
        foreach (var (attempt, delay) in retries)
        {
            var (min, max) = policy.GetBounds(attempt);
            Assert.InRange(delay, min, max);
        }
    }
}
