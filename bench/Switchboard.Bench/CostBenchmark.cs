namespace Switchboard.Bench;

/// <summary>
/// <c>cost</c>: what a delivery and an idle connection cost the server, the two figures the servers are compared on.
/// The <c>-n</c> subscribers and <c>--idle-connections</c> more connect to a fresh server and are held idle; the RSS
/// growth over all of them is the memory per idle connection. The extra ones are closed, then one fan-out step runs at
/// the single fixed <c>--rate</c> (50 msgs/s by default, below where any target saturates its core): the server's CPU
/// seconds from the first measured publication to the last delivery, over the measured deliveries, is the CPU per
/// delivery.
/// </summary>
/// <remarks>
/// Thread safety: run once, from one task. The idle connections' teardown falls in the fan-out's warm-up, before the
/// measured window; the subscribers stay for the fan-out, so their memory is counted in the idle figure too.
/// </remarks>
internal sealed class CostBenchmark(BenchSession session)
{
    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var settings = session.Settings;
        var report = session.NewReport();
        var rate = settings.Rates[0];
        var rssBefore = ConnectionsBenchmark.ReadRssKiB(settings.ServerPid);
        var fanout = new FanoutBenchmark(session);
        await fanout.ConnectSubscribersAsync(cancellationToken).ConfigureAwait(false);
        BenchClient?[] idle = [];
        try
        {
            idle = await ConnectIdleAsync(cancellationToken).ConfigureAwait(false);
            await ConnectionsBenchmark.HoldAsync(session, [.. fanout.Subscribers, .. idle], cancellationToken).ConfigureAwait(false);
            var rssAfter = ConnectionsBenchmark.ReadRssKiB(settings.ServerPid);
            await BenchSession.DisposeAllAsync(idle).ConfigureAwait(false);
            idle = [];

            await using var publisher = await fanout.ConnectPublisherAsync(cancellationToken).ConfigureAwait(false);
            var step = await fanout.RunStepAsync(publisher, rate, cancellationToken).ConfigureAwait(false);
            report.Steps.Add(step);
            report.Histograms.Add(($"{rate:N0} msgs/s", fanout.LastHistogram));
            var connections = settings.Connections + settings.IdleConnections;
            report.Cost = new CostResult
            {
                Rate = rate,
                Subscribers = settings.Connections,
                IdleConnections = settings.IdleConnections,
                ServerRssBeforeKiB = rssBefore,
                ServerRssAfterKiB = rssAfter,
                ServerKiBPerConnection = rssBefore is { } before && rssAfter is { } after ? Math.Round((after - before) / (double)connections, 2) : null,
                Deliveries = step.Latency.Count,
                ServerCpuSeconds = step.ServerCpuSeconds,
                ServerCpuMicrosecondsPerDelivery = step.ServerCpuMicrosecondsPerDelivery,
                ServerCpuPercent = step.ServerCpuPercent,
                LoadGeneratorCpuPercent = step.LoadGeneratorCpuPercent,
                Lost = step.Lost,
                Duplicated = step.Duplicated,
                Held = step.Held,
            };
        }
        finally
        {
            await BenchSession.DisposeAllAsync(idle).ConfigureAwait(false);
            await fanout.DisposeSubscribersAsync().ConfigureAwait(false);
        }

        report.LoadAverageEnd = BenchReport.ReadLoadAverage();
        return report;
    }

    /// <summary>The extra idle connections, each subscribed to a channel of its own group (no publication reaches them).</summary>
    private async Task<BenchClient?[]> ConnectIdleAsync(CancellationToken cancellationToken)
    {
        var settings = session.Settings;
        if (settings.IdleConnections <= 0)
        {
            return [];
        }

        var target = session.Target;
        var channels = Math.Max(1, settings.Channels);
        var (clients, failed, _, _) = await session.ConnectManyAsync(
            settings.IdleConnections,
            target.SubscriberUri(session.Url),
            null,
            client => target.SubscribeAsync(client, $"bench.idle.{client.Index % channels}", null, cancellationToken),
            "idle connections",
            cancellationToken).ConfigureAwait(false);
        if (failed > 0)
        {
            await BenchSession.DisposeAllAsync(clients).ConfigureAwait(false);
            throw new BenchException($"{failed} of {settings.IdleConnections} idle connections could not connect and subscribe");
        }

        return clients;
    }
}
