using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Host;
using Switchboard.Server.Proxy.Internal;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Server.Tests.Operations;

/// <summary>
/// deploy/grafana/switchboard.json and deploy/prometheus/rules.yml query only series that <c>/metrics</c> of a real
/// <c>serve</c> exports: serve runs in-process on Kestrel with the NATS bridge and the connect proxy configured (so
/// their instruments exist), every instrument of its meters records one measurement (so that even a counter whose
/// event never happened has its series), and the scrape is compared with the names the dashboard and the rules use.
/// The rules also pass <c>promtool check rules</c> (Debian's prometheus package, which test.sh installs).
/// </summary>
public sealed partial class DashboardMetricsTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public async Task Every_metric_the_dashboard_and_the_alert_rules_query_is_exported_by_serve()
    {
        var exported = await ScrapeSeriesNamesAsync();
        Assert.Contains("switchboard_connection_active", exported); // The scrape itself is what it should be.
        Assert.Contains("switchboard_proxy_calls_total", exported);
        Assert.Contains("switchboard_nats_connected", exported);

        var queried = DashboardQueries().Concat(RuleQueries()).SelectMany(MetricNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.True(queried.Count >= 20, $"found only {queried.Count} metric names in the dashboard and rules: {string.Join(", ", queried)}");
        var missing = queried.Where(name => name != "up" && !exported.Contains(name)).ToList(); // up is Prometheus' own series.
        Assert.True(missing.Count == 0, $"queried but not exported: {string.Join(", ", missing)}\nexported: {string.Join(", ", exported.Order(StringComparer.Ordinal))}");
    }

    [Fact]
    public void The_dashboard_is_grafana_json_on_a_prometheus_datasource_variable()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "deploy/grafana/switchboard.json")));
        var root = dashboard.RootElement;
        Assert.Equal("switchboard", root.GetProperty("uid").GetString());
        var panels = root.GetProperty("panels").EnumerateArray().Where(static p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.True(panels.Count >= 15, $"{panels.Count} panels");
        Assert.All(panels, static p => Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString()));
        Assert.All(panels, static p => Assert.NotEmpty(p.GetProperty("targets").EnumerateArray()));
    }

    [Fact]
    public async Task The_alert_rules_pass_promtool_check_rules()
    {
        using var promtool = ChildProcess.Start("promtool", ["check", "rules", Path.Combine(Root, "deploy/prometheus/rules.yml")]);
        Assert.True(await promtool.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, promtool.Output);
        Assert.Contains("SUCCESS: 7 rules found", promtool.Output, StringComparison.Ordinal);
        foreach (var alert in new[] { "SwitchboardNodeDown", "SwitchboardSlowConsumerCloses", "SwitchboardBrokerErrors", "SwitchboardGapsHealed", "SwitchboardProxyDown", "SwitchboardNatsDisconnected" })
        {
            Assert.Contains($"alert: {alert}", File.ReadAllText(Path.Combine(Root, "deploy/prometheus/rules.yml")), StringComparison.Ordinal);
        }
    }

    /// <summary>The series names of one scrape of serve's /metrics, after every instrument of its meters recorded once.</summary>
    private static async Task<HashSet<string>> ScrapeSeriesNamesAsync()
    {
        var dead = $"127.0.0.1:{FreePort()}"; // Nothing listens there: NATS stays disconnected, proxy calls fail.
        await using var app = ServeCommand.BuildApp("http://127.0.0.1:0", null,
        [
            $"--Switchboard:Nats:Url=nats://{dead}", "--Switchboard:Nats:Bridges:0:Subject=order.*", "--Switchboard:Nats:Bridges:0:Channel=orders.{1}",
            $"--Switchboard:Proxy:Connect:Url=http://{dead}/connect",
        ]);
        await app.StartAsync();
        try
        {
            app.Services.GetRequiredService<Switchboard.Server.Diagnostics.SwitchboardMetrics>();
            app.Services.GetRequiredService<ProxyMetrics>();
            var factory = app.Services.GetRequiredService<IMeterFactory>();
            var touched = new List<string>();
            using (var listener = new MeterListener())
            {
                listener.InstrumentPublished = (instrument, _) =>
                {
                    // Only this host's meters (another test's server has its own factory), and only ones we can record on.
                    if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == Switchboard.Server.Diagnostics.SwitchboardMetrics.MeterName && Touch(instrument))
                    {
                        touched.Add(instrument.Name);
                    }
                };
                listener.Start();
            }

            Assert.Contains("switchboard.gap.healed", touched);
            Assert.Contains("switchboard.nats.errors", touched);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
            var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            return [.. text.Split('\n').Where(static l => l.Length > 0 && l[0] != '#').Select(static l => SeriesName().Match(l).Value)];
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>Records a zero on a synchronous instrument, which makes the exporter show its series; observable ones always show.</summary>
    private static bool Touch(Instrument instrument)
    {
        switch (instrument)
        {
            case Counter<long> counter:
                counter.Add(0);
                return true;
            case UpDownCounter<long> upDown:
                upDown.Add(0);
                return true;
            case Histogram<double> histogram:
                histogram.Record(0);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Every PromQL expression of the dashboard: the panels' targets and the template variables' queries.</summary>
    private static IEnumerable<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "deploy/grafana/switchboard.json")));
        var found = new List<string>();
        Collect(dashboard.RootElement, found);
        return found;

        static void Collect(JsonElement element, List<string> found)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name is "expr" or "definition" && property.Value.ValueKind == JsonValueKind.String)
                        {
                            found.Add(property.Value.GetString()!);
                        }

                        Collect(property.Value, found);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item, found);
                    }

                    break;
            }
        }
    }

    /// <summary>The rules' expressions: each <c>expr:</c> with the indented lines of its block.</summary>
    private static IEnumerable<string> RuleQueries() => RuleExpression().Matches(File.ReadAllText(Path.Combine(Root, "deploy/prometheus/rules.yml")))
        .Select(static m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);

    /// <summary>The metric names in a PromQL expression: identifiers not followed by <c>(</c> (functions) nor inside a label matcher or <c>by (...)</c>.</summary>
    private static IEnumerable<string> MetricNames(string expression)
    {
        var withoutLabels = LabelBlock().Replace(Grouping().Replace(expression, " "), " ");
        return Identifier().Matches(withoutLabels).Select(static m => m.Value).Where(static name => name.StartsWith("switchboard_", StringComparison.Ordinal) || name == "up");
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new FileNotFoundException("Switchboard.slnx");
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"expr:[ ]*(?:\|[ ]*\n((?:[ ]{10,}.*\n?)+)|(.+))")]
    private static partial Regex RuleExpression();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelBlock();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()")]
    private static partial Regex Identifier();
}
