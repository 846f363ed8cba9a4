using System.Text.Json.Serialization;

namespace Switchboard.Bench;

/// <summary>The outcome of one <c>switchboard-bench</c> run, as printed with <c>--json</c>.</summary>
internal sealed class BenchReport
{
    public required string Mode { get; init; }

    public required string Target { get; init; }

    public required string Url { get; init; }

    public int Connections { get; init; }

    public int Channels { get; init; }

    public int PayloadBytes { get; init; }

    public int SourceAddresses { get; init; }

    /// <summary>The machine's load averages (1, 5, 15 minutes) at the start and the end: a busy machine makes numbers preliminary.</summary>
    public string LoadAverageStart { get; init; } = "";

    public string LoadAverageEnd { get; set; } = "";

    public List<FanoutStep> Steps { get; } = [];

    public ConnectionsResult? Idle { get; set; }

    public RpcResult? Rpc { get; set; }

    public StormResult? Storm { get; set; }

    public CostResult? Cost { get; set; }

    /// <summary>Latency histograms by title, for the HTML report.</summary>
    [JsonIgnore]
    public List<(string Title, LatencyHistogram Histogram)> Histograms { get; } = [];

    public static string ReadLoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', fields.Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

/// <summary>Latency percentiles in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double Mean, double P50, double P90, double P99, double P999, double Max)
{
    public static LatencySummary From(LatencyHistogram h) => new(
        h.Count, Math.Round(h.MeanMicroseconds / 1000.0, 3), Ms(h.Percentile(50)), Ms(h.Percentile(90)), Ms(h.Percentile(99)), Ms(h.Percentile(99.9)), Ms(h.MaxMicroseconds));

    private static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 3);
}

/// <summary>One publish rate held for the step's duration (fanout).</summary>
internal sealed record FanoutStep
{
    /// <summary>The asked rate in messages per second; 0 = as fast as the server keeps up.</summary>
    public double Rate { get; init; }

    public double AchievedRate { get; init; }

    public long Published { get; init; }

    public long Expected { get; init; }

    public long Delivered { get; init; }

    public long Lost { get; init; }

    public long Duplicated { get; init; }

    public long OutOfOrder { get; init; }

    /// <summary>Deliveries per second in the measured window (after the warm-up).</summary>
    public double DeliveriesPerSecond { get; init; }

    public required LatencySummary Latency { get; init; }

    /// <summary>The server's CPU use during the step in percent of one core (when its process id was given).</summary>
    public double? ServerCpuPercent { get; init; }

    /// <summary>The server's CPU seconds from the first measured publication until the last of its deliveries arrived.</summary>
    public double? ServerCpuSeconds { get; init; }

    /// <summary><see cref="ServerCpuSeconds"/> over the measured publications' deliveries, in µs: the cost of one delivery.</summary>
    public double? ServerCpuMicrosecondsPerDelivery { get; init; }

    /// <summary>The load generator's own CPU use during the step, in percent of one core.</summary>
    public double? LoadGeneratorCpuPercent { get; init; }

    /// <summary>No loss, p99 within the budget, and the asked rate reached.</summary>
    public bool Held { get; init; }
}

/// <summary>Idle connections (connections mode).</summary>
internal sealed record ConnectionsResult
{
    public int Opened { get; init; }

    public int Failed { get; init; }

    public double ConnectSeconds { get; init; }

    public double ConnectsPerSecond { get; init; }

    public required LatencySummary ConnectLatency { get; init; }

    /// <summary>CPU use while connecting, in percent of one core: the server's (with its PID) and the load generator's.</summary>
    public double? ServerCpuPercent { get; init; }

    public double? LoadGeneratorCpuPercent { get; init; }

    /// <summary>The server's resident memory before and after, in KiB (when its process id was given).</summary>
    public long? ServerRssBeforeKiB { get; init; }

    public long? ServerRssAfterKiB { get; init; }

    public double? ServerKiBPerConnection { get; init; }
}

/// <summary>Request/response (rpc mode).</summary>
internal sealed record RpcResult
{
    public long Completed { get; init; }

    public long Failed { get; init; }

    public double RoundTripsPerSecond { get; init; }

    /// <summary>CPU use during the run in percent of one core: the server's (with its PID) and the load generator's.</summary>
    public double? ServerCpuPercent { get; init; }

    public double? LoadGeneratorCpuPercent { get; init; }

    public required LatencySummary Latency { get; init; }
}

/// <summary>Drop every subscriber at once and let them come back (reconnect-storm mode).</summary>
internal sealed record StormResult
{
    public int Dropped { get; init; }

    public int Back { get; init; }

    public int Failed { get; init; }

    /// <summary>Subscribers whose resubscribe said every missed publication was recovered.</summary>
    public int Recovered { get; init; }

    /// <summary>Publications that came back in the resubscribe results (missed while disconnected), over all subscribers.</summary>
    public long RecoveredPublications { get; init; }

    public double AllBackSeconds { get; init; }

    public required LatencySummary BackLatency { get; init; }

    public long Published { get; init; }

    public long Expected { get; init; }

    public long Delivered { get; init; }

    public long Lost { get; init; }

    public long Duplicated { get; init; }
}

/// <summary>
/// What a delivery and an idle connection cost the server (cost mode): its CPU per delivery at one fixed, unsaturated
/// rate, and its resident memory per idle, subscribed connection.
/// </summary>
internal sealed record CostResult
{
    /// <summary>The fixed publish rate, messages per second.</summary>
    public double Rate { get; init; }

    public int Subscribers { get; init; }

    /// <summary>Idle connections opened beside the subscribers for the memory figure, closed before the fan-out.</summary>
    public int IdleConnections { get; init; }

    /// <summary>The server's resident memory before the first connection and with every connection open and idle, in KiB.</summary>
    public long? ServerRssBeforeKiB { get; init; }

    public long? ServerRssAfterKiB { get; init; }

    /// <summary>RSS growth over the subscribers and the idle connections, per connection.</summary>
    public double? ServerKiBPerConnection { get; init; }

    /// <summary>Deliveries of the measured publications (every subscriber's copy counts once).</summary>
    public long Deliveries { get; init; }

    public double? ServerCpuSeconds { get; init; }

    /// <summary>The server's CPU seconds over <see cref="Deliveries"/>, in µs.</summary>
    public double? ServerCpuMicrosecondsPerDelivery { get; init; }

    /// <summary>The server's CPU use during the fan-out, in percent of one core: near 100 the rate was not unsaturated.</summary>
    public double? ServerCpuPercent { get; init; }

    public double? LoadGeneratorCpuPercent { get; init; }

    public long Lost { get; init; }

    public long Duplicated { get; init; }

    /// <summary>The fan-out step held: no loss, the rate reached, p99 within the budget.</summary>
    public bool Held { get; init; }
}

/// <summary>Source-generated JSON for <c>--json</c>.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
