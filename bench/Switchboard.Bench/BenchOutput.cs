using System.Globalization;
using Spectre.Console;

namespace Switchboard.Bench;

/// <summary>The summary table printed at the end of a run.</summary>
/// <remarks>Thread safety: stateless.</remarks>
internal static class BenchOutput
{
    public static void WriteSummary(IAnsiConsole console, BenchReport report)
    {
        console.MarkupLineInterpolated($"[bold]switchboard-bench {report.Mode}[/] against [bold]{report.Target}[/] at {report.Url}: {report.Connections:N0} connections over {report.SourceAddresses} source address(es), load average {report.LoadAverageStart} -> {report.LoadAverageEnd}");
        if (report.Steps.Count > 0)
        {
            var table = new Table().AddColumns("rate/s", "achieved/s", "published", "expected", "delivered", "lost", "dup", "deliveries/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "server cpu %", "server µs/delivery", "bench cpu %", "held");
            foreach (var s in report.Steps)
            {
                table.AddRow(
                    s.Rate > 0 ? N(s.Rate) : "max", N(s.AchievedRate), N(s.Published), N(s.Expected), N(s.Delivered), Flag(s.Lost), Flag(s.Duplicated), N(s.DeliveriesPerSecond),
                    D(s.Latency.P50), D(s.Latency.P90), D(s.Latency.P99), D(s.Latency.P999), D(s.Latency.Max), s.ServerCpuPercent is { } sc ? D(sc) : "-", s.ServerCpuMicrosecondsPerDelivery is { } us ? D(us) : "-", s.LoadGeneratorCpuPercent is { } lc ? D(lc) : "-", s.Held ? "[green]yes[/]" : "[red]no[/]");
            }

            console.Write(table);
        }

        if (report.Idle is { } idle)
        {
            var table = new Table().AddColumns("opened", "failed", "seconds", "connects/s", "connect p50 ms", "connect p99 ms", "server cpu %", "bench cpu %", "server RSS before KiB", "after KiB", "KiB/connection");
            table.AddRow(N(idle.Opened), Flag(idle.Failed), D(idle.ConnectSeconds), N(idle.ConnectsPerSecond), D(idle.ConnectLatency.P50), D(idle.ConnectLatency.P99),
                idle.ServerCpuPercent is { } sc ? D(sc) : "-", idle.LoadGeneratorCpuPercent is { } lc ? D(lc) : "-", idle.ServerRssBeforeKiB is { } b ? N(b) : "-", idle.ServerRssAfterKiB is { } a ? N(a) : "-", idle.ServerKiBPerConnection is { } k ? D(k) : "- (give --pid)");
            console.Write(table);
        }

        if (report.Rpc is { } rpc)
        {
            var table = new Table().AddColumns("round trips", "failed", "round trips/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "server cpu %", "bench cpu %");
            table.AddRow(N(rpc.Completed), Flag(rpc.Failed), N(rpc.RoundTripsPerSecond), D(rpc.Latency.P50), D(rpc.Latency.P90), D(rpc.Latency.P99), D(rpc.Latency.P999), D(rpc.Latency.Max), rpc.ServerCpuPercent is { } sc ? D(sc) : "-", rpc.LoadGeneratorCpuPercent is { } lc ? D(lc) : "-");
            console.Write(table);
        }

        if (report.Cost is { } cost)
        {
            var table = new Table().AddColumns("rate/s", "subscribers", "idle", "deliveries", "server cpu s", "server µs/delivery", "server cpu %", "bench cpu %", "server RSS before KiB", "after KiB", "KiB/idle connection", "lost", "held");
            table.AddRow(N(cost.Rate), N(cost.Subscribers), N(cost.IdleConnections), N(cost.Deliveries), cost.ServerCpuSeconds is { } cs ? D(cs) : "-", cost.ServerCpuMicrosecondsPerDelivery is { } us ? D(us) : "- (give --pid)",
                cost.ServerCpuPercent is { } sc ? D(sc) : "-", cost.LoadGeneratorCpuPercent is { } lc ? D(lc) : "-", cost.ServerRssBeforeKiB is { } b ? N(b) : "-", cost.ServerRssAfterKiB is { } a ? N(a) : "-",
                cost.ServerKiBPerConnection is { } k ? D(k) : "- (give --pid)", Flag(cost.Lost), cost.Held ? "[green]yes[/]" : "[red]no[/]");
            console.Write(table);
        }

        if (report.Storm is { } storm)
        {
            var table = new Table().AddColumns("dropped", "back", "failed", "recovered", "recovered msgs", "all back s", "back p50 ms", "back p99 ms", "published", "expected", "delivered", "lost", "dup");
            table.AddRow(N(storm.Dropped), N(storm.Back), Flag(storm.Failed), N(storm.Recovered), N(storm.RecoveredPublications), D(storm.AllBackSeconds), D(storm.BackLatency.P50), D(storm.BackLatency.P99),
                N(storm.Published), N(storm.Expected), N(storm.Delivered), Flag(storm.Lost), Flag(storm.Duplicated));
            console.Write(table);
        }
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string D(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Flag(long value) => value == 0 ? "0" : $"[red]{value.ToString("N0", CultureInfo.InvariantCulture)}[/]";
}
