using System.Buffers;
using System.Diagnostics;

namespace Switchboard.Host.Bench;

/// <summary><c>bench rpc</c>: C connections each doing one request/response after another; round trips/s and latency.</summary>
/// <remarks>Thread safety: run once; each loop owns its client.</remarks>
internal sealed class RpcBenchmark(BenchSession session)
{
    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var settings = session.Settings;
        var report = session.NewReport();
        var (clients, failedConnects, _, _) = await session.ConnectManyAsync(
            settings.Connections, session.Target.RpcUri(session.Url), null, null, "rpc clients", cancellationToken).ConfigureAwait(false);
        if (failedConnects > 0)
        {
            await BenchSession.DisposeAllAsync(clients).ConfigureAwait(false);
            throw new BenchException($"{failedConnects} of {settings.Connections} rpc clients could not connect");
        }

        var latency = new LatencyHistogram();
        var serverCpuBefore = settings.ServerPid is { } serverPid ? ProcessCpu.Seconds(serverPid) : null;
        var clientCpuBefore = ProcessCpu.Seconds(Environment.ProcessId);
        long completed = 0, failed = 0;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(settings.Warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        try
        {
            using (session.StartProgress(() => $"rpc: {Volatile.Read(ref completed):N0} round trips, {Volatile.Read(ref failed):N0} failed"))
            {
                await Task.WhenAll(clients.Select(client => Task.Run(async () =>
                {
                    var buffer = new ArrayBufferWriter<byte>(128);
                    long id = 0;
                    while (Stopwatch.GetTimestamp() < end)
                    {
                        buffer.ResetWrittenCount();
                        session.Target.WriteRpc(buffer, ++id, settings.RpcMethod);
                        var began = Stopwatch.GetTimestamp();
                        try
                        {
                            var reply = await client!.RequestAsync(buffer.WrittenMemory, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                            if (reply.AsSpan().IndexOf("\"error\""u8) >= 0)
                            {
                                Interlocked.Increment(ref failed);
                                continue;
                            }
                        }
                        catch (Exception ex) when (ex is TimeoutException or System.Net.WebSockets.WebSocketException)
                        {
                            Interlocked.Increment(ref failed);
                            return;
                        }

                        if (began >= measureFrom)
                        {
                            latency.Record((Stopwatch.GetTimestamp() - began) * 1_000_000 / Stopwatch.Frequency);
                            Interlocked.Increment(ref completed);
                        }
                    }
                }, cancellationToken))).ConfigureAwait(false);
            }
        }
        finally
        {
            await BenchSession.DisposeAllAsync(clients).ConfigureAwait(false);
        }

        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        report.Rpc = new RpcResult
        {
            ServerCpuPercent = ProcessCpu.Percent(serverCpuBefore, settings.ServerPid is { } pid ? ProcessCpu.Seconds(pid) : null, wall),
            LoadGeneratorCpuPercent = ProcessCpu.Percent(clientCpuBefore, ProcessCpu.Seconds(Environment.ProcessId), wall),
            Completed = completed,
            Failed = failed,
            RoundTripsPerSecond = Math.Round(completed / settings.Duration.TotalSeconds),
            Latency = LatencySummary.From(latency),
        };
        report.Histograms.Add(("rpc round trip", latency));
        report.LoadAverageEnd = BenchReport.ReadLoadAverage();
        return report;
    }
}
