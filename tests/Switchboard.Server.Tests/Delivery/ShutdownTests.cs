using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocol;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>Graceful shutdown: 1001 to everyone, spread over the drain time, in-flight commands finished.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Two_hundred_clients_all_get_1001_spread_out_and_the_server_stops_within_the_drain_time()
    {
        var drain = TimeSpan.FromSeconds(3);
        var server = await TestServer.StartAsync(o => o.DrainTimeout = drain);
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < 200; i += 20)
            {
                clients.AddRange(await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => server.ConnectAsync())));
            }

            var clock = Stopwatch.StartNew();
            var closes = clients.Select(async c =>
            {
                var (status, _) = await c.WaitForCloseAsync(TimeSpan.FromSeconds(30));
                return (Status: (int?)status, At: clock.Elapsed);
            }).ToList();

            await server.StopAsync();
            var stopped = clock.Elapsed;
            var results = await Task.WhenAll(closes);

            Assert.All(results, r => Assert.Equal(CloseCodes.GoingAway, r.Status));
            Assert.True(stopped < drain + TimeSpan.FromSeconds(1), $"stopping took {stopped}, drain time {drain}");

            // Spread: the batches go out over the first half of the drain time, not all in the same instant.
            var first = results.Min(r => r.At);
            var last = results.Max(r => r.At);
            Assert.True(last - first >= drain / 4, $"all 1001s arrived within {last - first}");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_command_in_flight_finishes_and_its_reply_arrives_before_the_1001()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await TestServer.StartAsync(o =>
        {
            o.DrainTimeout = TimeSpan.FromSeconds(5);
            o.AddRpc("slow", async (request, _) =>
            {
                started.TrySetResult();
                await Task.Delay(500);
                using var done = JsonDocument.Parse("\"done\"");
                return done.RootElement.Clone();
            });
        });
        try
        {
            await using var client = await server.ConnectAsync();
            var reply = client.CommandAsync(new JsonObject { ["type"] = "rpc", ["method"] = "slow" });
            await started.Task.WaitAsync(TestClient.DefaultTimeout);

            var stopping = server.StopAsync();
            var result = await reply;
            Assert.True(result["success"]!.GetValue<bool>());
            Assert.Equal("done", result["result"]!.GetValue<string>());
            var (status, _) = await client.WaitForCloseAsync();
            Assert.Equal(CloseCodes.GoingAway, (int?)status);
            await stopping;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public void Drain_plan_spreads_batches_over_half_the_drain_time()
    {
        var plan = DrainPlan.Create(10_000, TimeSpan.FromSeconds(10));
        Assert.Equal(50, plan.Batches);
        Assert.Equal(200, plan.BatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(100), plan.Interval);

        var few = DrainPlan.Create(3, TimeSpan.FromSeconds(10));
        Assert.Equal((3, 1), (few.Batches, few.BatchSize));

        var instant = DrainPlan.Create(500, TimeSpan.Zero);
        Assert.Equal((1, 500, TimeSpan.Zero), (instant.Batches, instant.BatchSize, instant.Interval));
        Assert.Equal(0, DrainPlan.Create(0, TimeSpan.FromSeconds(10)).Batches);
    }
}
