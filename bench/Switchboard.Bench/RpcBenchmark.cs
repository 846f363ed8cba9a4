using System.Buffers;
using System.Diagnostics;

namespace Switchboard.Bench;

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

        // One round trip per connection before the clock starts: the first request of a fresh process runs cold code on
        // both sides (JIT, first allocations), measured at 0.1-0.7 s on a loaded 2-core machine, and a time-based
        // warm-up alone could end before it did, leaving a short run with nothing measured.
        try
        {
            await Task.WhenAll(clients.Select(client => RoundTripAsync(client!, new ArrayBufferWriter<byte>(128), 1, cancellationToken))).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or System.Net.WebSockets.WebSocketException)
        {
            await BenchSession.DisposeAllAsync(clients).ConfigureAwait(false);
            throw new BenchException($"the first round trip failed: {ex.Message}");
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
                    long id = 1; // Request ids start at 1 (Switchboard answers no request without one); 1 was the warm-up's.
                    var accounted = false; // a measured round trip or a failure

                    // Until the end, and past it until this client has one measured round trip: on a busy machine a
                    // round trip begun just before the window opened can outlast a short window, and a client with no
                    // sample would make the run's figures say nothing about it.
                    while (Stopwatch.GetTimestamp() < end || !accounted)
                    {
                        var began = Stopwatch.GetTimestamp();
                        try
                        {
                            if (!await RoundTripAsync(client!, buffer, ++id, cancellationToken).ConfigureAwait(false))
                            {
                                Interlocked.Increment(ref failed);
                                accounted = true;
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
                            accounted = true;
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

    /// <summary>One request and its reply; false when the reply is an error.</summary>
    private async Task<bool> RoundTripAsync(BenchClient client, ArrayBufferWriter<byte> buffer, long id, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        session.Target.WriteRpc(buffer, id, session.Settings.RpcMethod);
        var reply = await client.RequestAsync(buffer.WrittenMemory, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        return reply.AsSpan().IndexOf("\"error\""u8) < 0;
    }
}
