using System.Text.Json.Nodes;
using Switchboard.Samples.Tests.Infrastructure;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>
/// <c>switchboard-bench --target topicmanager</c>, the run behind docs/performance.md's sample row, against the real
/// TopicManager sample at a tiny size: plain subscribers on <c>/ws/{client_id}</c>, publications through
/// <c>POST /api/publish</c>. Not a timing test: it checks that the counts add up, so the table's tool keeps working.
/// </summary>
public sealed class TopicManagerBenchTests() : RunningSample("TopicManager")
{
    private const int Subscribers = 5;

    [Fact]
    public async Task Fanout_through_the_sample_delivers_every_publication_once()
    {
        var report = await BenchAsync("fanout", "--rate", "50", "--warmup", "0.2", "--duration", "1");

        var step = report["steps"]!.AsArray().Single()!;
        Assert.Equal(60, step["published"]!.GetValue<long>()); // 50/s for 1.2 s, by schedule.
        Assert.Equal(60 * Subscribers, step["expected"]!.GetValue<long>());
        Assert.Equal(60 * Subscribers, step["delivered"]!.GetValue<long>());
        Assert.Equal(0, step["lost"]!.GetValue<long>());
        Assert.Equal(0, step["duplicated"]!.GetValue<long>());

        // Not order: the bench sends its POSTs concurrently, so the sample may take them out of order.
    }

    [Fact]
    public async Task Rpc_through_the_sample_is_the_ping_pong_round_trip()
    {
        var report = await BenchAsync("rpc", "--warmup", "0.2", "--duration", "0.5");

        var rpc = report["rpc"]!;
        Assert.True(rpc["completed"]!.GetValue<long>() >= Subscribers, $"{rpc["completed"]} ping/pong round trips by {Subscribers} clients");
        Assert.Equal(0, rpc["failed"]!.GetValue<long>());
    }

    /// <summary>Runs the built <c>switchboard-bench MODE --json</c> against the sample and returns its report.</summary>
    private async Task<JsonNode> BenchAsync(string mode, params string[] flags)
    {
        var generator = Path.Combine(Repository.Root, "bench", "Switchboard.Bench", "bin", Repository.Configuration, "net10.0", "switchboard-bench.dll");
        using var bench = ChildProcess.Start(
            "dotnet",
            [generator, mode, "--target", "topicmanager", "--url", Sample.WebSocketUri("/ws/bench").ToString(), "-n", Subscribers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", .. flags],
            workingDirectory: Repository.Root);
        var exitCode = await bench.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(exitCode == 0, $"switchboard-bench {mode} exited with {exitCode}:\n{bench.Output}");
        return JsonNode.Parse(bench.StandardOutput)!;
    }
}
