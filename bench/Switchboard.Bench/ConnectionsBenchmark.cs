using System.Diagnostics;

namespace Switchboard.Bench;

/// <summary>
/// <c>bench connections</c>: opens N idle, subscribed connections at the asked rate, holds them, and reports the
/// connect rate and the server's resident memory per connection (RSS growth over the connections, from /proc).
/// </summary>
/// <remarks>Thread safety: run once, from one task.</remarks>
internal sealed class ConnectionsBenchmark(BenchSession session)
{
    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var settings = session.Settings;
        var report = session.NewReport();
        var target = session.Target;
        var channels = Math.Max(1, settings.Channels);
        var rssBefore = ReadRssKiB(settings.ServerPid);
        var cpuBefore = settings.ServerPid is { } serverPid ? ProcessCpu.Seconds(serverPid) : null;
        var clientCpuBefore = ProcessCpu.Seconds(Environment.ProcessId);
        var (clients, failed, latency, elapsed) = await session.ConnectManyAsync(
            settings.Connections,
            target.SubscriberUri(session.Url),
            null,
            client => target.SubscribeAsync(client, $"bench.idle.{client.Index % channels}", null, cancellationToken),
            "connections",
            cancellationToken).ConfigureAwait(false);
        var opened = (int)latency.Count;
        var serverCpu = ProcessCpu.Percent(cpuBefore, settings.ServerPid is { } pid ? ProcessCpu.Seconds(pid) : null, elapsed.TotalSeconds);
        var clientCpu = ProcessCpu.Percent(clientCpuBefore, ProcessCpu.Seconds(Environment.ProcessId), elapsed.TotalSeconds);
        try
        {
            await HoldAsync(session, clients, cancellationToken).ConfigureAwait(false);
            var rssAfter = ReadRssKiB(settings.ServerPid);
            report.Idle = new ConnectionsResult
            {
                Opened = opened,
                Failed = failed,
                ConnectSeconds = Math.Round(elapsed.TotalSeconds, 3),
                ConnectsPerSecond = Math.Round(opened / Math.Max(elapsed.TotalSeconds, 1e-6)),
                ConnectLatency = LatencySummary.From(latency),
                ServerCpuPercent = serverCpu,
                LoadGeneratorCpuPercent = clientCpu,
                ServerRssBeforeKiB = rssBefore,
                ServerRssAfterKiB = rssAfter,
                ServerKiBPerConnection = rssBefore is { } before && rssAfter is { } after && opened > 0 ? Math.Round((after - before) / (double)opened, 2) : null,
            };
            report.Histograms.Add(("connect + subscribe", latency));
        }
        finally
        {
            await BenchSession.DisposeAllAsync(clients).ConfigureAwait(false);
        }

        report.LoadAverageEnd = BenchReport.ReadLoadAverage();
        return report;
    }

    /// <summary>
    /// Holds <paramref name="clients"/> open and idle for <c>--hold</c> s, so that the server settles (its GC runs,
    /// buffers are returned) before its memory is read.
    /// </summary>
    public static async Task HoldAsync(BenchSession session, IReadOnlyCollection<BenchClient?> clients, CancellationToken cancellationToken)
    {
        var alive = 0;
        using var progress = session.StartProgress(() => $"holding {Volatile.Read(ref alive):N0} connections, server RSS {ReadRssKiB(session.Settings.ServerPid)?.ToString("N0") ?? "?"} KiB");
        var holdUntil = Stopwatch.GetTimestamp() + (long)(session.Settings.Hold.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < holdUntil)
        {
            Volatile.Write(ref alive, clients.Count(c => c is { Receiving.IsCompleted: false }));
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The process's resident set size in KiB (VmRSS in /proc/PID/status), or null without a PID.</summary>
    public static long? ReadRssKiB(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process is gone.
        }

        return null;
    }
}
