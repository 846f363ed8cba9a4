using Spectre.Console;

namespace Switchboard.Bench.Tests;

/// <summary>
/// Runs every bench mode against every target at a tiny size, so that the load generator and the reference servers
/// keep working. Not timing tests: they check that the counts add up (nothing lost at a trivial load, every
/// connection opened, every subscriber back and, on Switchboard, recovered).
/// </summary>
public sealed class BenchModeTests(BenchServers servers) : IClassFixture<BenchServers>
{
    private const int Clients = 5;

    /// <summary>
    /// Every target this fixture starts: Switchboard with plain and with batching clients, and the three references.
    /// <c>topicmanager</c> drives a sample process; Switchboard.Samples.Tests runs the bench against it.
    /// </summary>
    public static TheoryData<string> Targets => [.. BenchTarget.Names.Where(name => name != "topicmanager")];

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Fanout_delivers_every_message_to_every_subscriber(string target)
    {
        var report = await RunAsync(BenchMode.Fanout, target, s => s with { Rates = [50], Warmup = TimeSpan.FromSeconds(0.2), Duration = TimeSpan.FromSeconds(1) });

        var step = Assert.Single(report.Steps);
        Assert.Equal(60, step.Published); // 50/s for 1.2 s, by schedule.
        Assert.Equal(step.Published * Clients, step.Expected);
        Assert.Equal(step.Expected, step.Delivered);
        Assert.Equal(0, step.Lost);
        Assert.Equal(0, step.Duplicated);
        Assert.Equal(0, step.OutOfOrder);
        Assert.Equal(50 * Clients, step.Latency.Count); // One latency sample per delivery of the measured second.

        // Not a latency budget (a shared CI machine may be slow), but a check of the timestamps carried in the payload:
        // every latency is measured from a publication's scheduled send time, so none can be zero or exceed the time
        // from the first publication to the end of the drain.
        Assert.True(step.Latency.P50 > 0, $"p50 {step.Latency.P50} ms: latencies must be positive");
        Assert.True(step.Latency.Max <= 6_200, $"max {step.Latency.Max} ms is longer than the whole step (1.2 s publishing + 5 s drain)");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Fanout_at_max_rate_loses_nothing(string target)
    {
        var report = await RunAsync(BenchMode.Fanout, target, s => s with { Rates = [0], Warmup = TimeSpan.FromSeconds(0.2), Duration = TimeSpan.FromSeconds(0.5) });

        var step = Assert.Single(report.Steps);
        Assert.True(step.Published > 0);
        Assert.Equal(step.Expected, step.Delivered);
        Assert.Equal(0, step.Lost);
        Assert.True(step.DeliveriesPerSecond > 0);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Connections_opens_and_holds_every_connection(string target)
    {
        var report = await RunAsync(BenchMode.Connections, target, s => s with { Hold = TimeSpan.FromSeconds(0.3), ServerPid = Environment.ProcessId });

        var idle = Assert.IsType<ConnectionsResult>(report.Idle);
        Assert.Equal(Clients, idle.Opened);
        Assert.Equal(0, idle.Failed);
        Assert.True(idle.ConnectsPerSecond > 0);
        Assert.NotNull(idle.ServerRssAfterKiB);
        Assert.NotNull(idle.ServerKiBPerConnection);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Rpc_completes_round_trips(string target)
    {
        var report = await RunAsync(BenchMode.Rpc, target, s => s with { Warmup = TimeSpan.FromSeconds(0.2), Duration = TimeSpan.FromSeconds(0.5) });

        var rpc = Assert.IsType<RpcResult>(report.Rpc);

        // Each client's first round trip (cold code in a fresh process) happens before the clock starts, and each client
        // goes on past the window until it has one measured round trip: on a loaded machine the client loops could
        // start after the 0.7 s window had closed (0 completed, reproduced with three busy loops on two cores).
        Assert.True(rpc.Completed >= Clients, $"{rpc.Completed} round trips completed by {Clients} clients in the measured 0.5 s ({rpc.Failed} failed)");
        Assert.True(rpc.Failed == 0, $"{rpc.Failed} round trips failed ({rpc.Completed} completed)");
        Assert.True(rpc.Completed == rpc.Latency.Count, $"{rpc.Latency.Count} latency samples for {rpc.Completed} round trips completed");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Reconnect_storm_brings_every_subscriber_back(string target)
    {
        var report = await RunAsync(BenchMode.ReconnectStorm, target, s => s with { Rates = [100], Warmup = TimeSpan.FromSeconds(0.3), Duration = TimeSpan.FromSeconds(0.5) });

        var storm = Assert.IsType<StormResult>(report.Storm);
        Assert.Equal(Clients, storm.Back);
        Assert.Equal(0, storm.Failed);
        Assert.Equal(Clients, storm.BackLatency.Count);
        Assert.True(storm.Published > 0);
        if (target.StartsWith("switchboard", StringComparison.Ordinal))
        {
            // Recovery from the last offset: every publication arrives exactly once, storm or not.
            Assert.Equal(Clients, storm.Recovered);
            Assert.Equal(0, storm.Lost);
            Assert.Equal(0, storm.Duplicated);
            Assert.Equal(storm.Expected, storm.Delivered);
        }
        else
        {
            Assert.Equal(0, storm.Recovered); // No recovery in SignalR or the raw and Node broadcasters.
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Cost_reports_the_server_cpu_per_delivery_and_its_memory_per_idle_connection(string target)
    {
        // More subscribers than the other modes: the figure divides CPU ticks (10 ms each) by deliveries, and node's
        // CPU for a second of 50 msgs/s to 5 subscribers could round to zero ticks.
        const int subscribers = 50;
        const int idle = 10;
        var report = await RunAsync(BenchMode.Cost, target, s => s with
        {
            Connections = subscribers,
            IdleConnections = idle,
            Rates = [50],
            Warmup = TimeSpan.FromSeconds(0.2),
            Duration = TimeSpan.FromSeconds(1),
            Hold = TimeSpan.FromSeconds(0.3),
            ServerPid = servers.PidOf(BenchTarget.Parse(target)),
        });

        var cost = Assert.IsType<CostResult>(report.Cost);
        var step = Assert.Single(report.Steps);
        Assert.Equal(60, step.Published); // 50/s for 1.2 s, by schedule.
        Assert.Equal(60 * subscribers, step.Expected); // The idle connections were closed before the fan-out.
        Assert.Equal(step.Expected, step.Delivered);
        Assert.Equal(0, cost.Lost);
        Assert.Equal(0, cost.Duplicated);
        Assert.Equal(50 * subscribers, cost.Deliveries); // The measured second's deliveries.
        Assert.Equal((subscribers, idle, 50.0), (cost.Subscribers, cost.IdleConnections, cost.Rate));
        Assert.True(cost.ServerCpuMicrosecondsPerDelivery is { } us && us > 0 && double.IsFinite(us), $"server CPU per delivery {cost.ServerCpuMicrosecondsPerDelivery} µs ({cost.ServerCpuSeconds} s over {cost.Deliveries} deliveries)");
        Assert.Equal(step.ServerCpuMicrosecondsPerDelivery, cost.ServerCpuMicrosecondsPerDelivery);

        // Memory may shrink while connections open (a GC in this shared process): present and finite, not positive.
        Assert.NotNull(cost.ServerRssBeforeKiB);
        Assert.True(cost.ServerKiBPerConnection is { } kib && double.IsFinite(kib), $"server KiB per idle connection {cost.ServerKiBPerConnection}");
    }

    [Fact]
    public async Task Command_line_writes_json_and_an_html_report()
    {
        var report = Path.Combine(Path.GetTempPath(), $"switchboard-bench-{Guid.NewGuid():N}.html");
        try
        {
            var exit = await BenchCommand.Create().Parse(
                ["rpc", "--url", servers.Switchboard.ToString(), "-n", "2", "--duration", "0.3", "--warmup", "0", "--json", "--report", report]).InvokeAsync();

            Assert.Equal(0, exit);
            var html = await File.ReadAllTextAsync(report);
            Assert.Contains("<svg", html, StringComparison.Ordinal);
            Assert.Contains("roundTripsPerSecond", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Fact]
    public async Task Command_line_cost_reports_the_figures_in_json_and_html()
    {
        var report = Path.Combine(Path.GetTempPath(), $"switchboard-bench-cost-{Guid.NewGuid():N}.html");
        try
        {
            var exit = await BenchCommand.Create().Parse(
                ["cost", "--url", servers.Switchboard.ToString(), "-n", "3", "--idle-connections", "2", "--duration", "0.3", "--warmup", "0", "--hold", "0",
                 "--pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--report", report]).InvokeAsync();

            Assert.Equal(0, exit);
            var html = await File.ReadAllTextAsync(report);
            Assert.Contains("<h2>Cost</h2>", html, StringComparison.Ordinal);
            Assert.Contains("serverCpuMicrosecondsPerDelivery", html, StringComparison.Ordinal);
            Assert.Contains("serverKiBPerConnection", html, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Theory]
    [InlineData("fanout", "--rate", "fast")]
    [InlineData("fanout", "--url", "http://127.0.0.1:1/ws")]
    [InlineData("cost", "--rate", "max")]
    [InlineData("cost", "--rate", "50,100")]
    public async Task Bad_arguments_exit_with_2(string mode, string option, string value)
    {
        var exit = await BenchCommand.Create().Parse([mode, option, value]).InvokeAsync();

        Assert.Equal(2, exit);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_without_a_stack_trace()
    {
        var exit = await BenchCommand.RunAndPrintAsync(new BenchSettings { Url = new Uri("ws://127.0.0.1:1/ws"), Connections = 1, Duration = TimeSpan.FromSeconds(0.1) }, CancellationToken.None);

        Assert.Equal(1, exit);
    }

    private async Task<BenchReport> RunAsync(BenchMode mode, string target, Func<BenchSettings, BenchSettings> adjust)
    {
        var kind = BenchTarget.Parse(target);
        var settings = adjust(new BenchSettings
        {
            Mode = mode,
            Target = kind,
            Url = servers.UrlOf(kind),
            Connections = Clients,
            Drain = TimeSpan.FromSeconds(5),
        });
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await BenchCommand.RunAsync(settings, console, timeout.Token);
    }
}
