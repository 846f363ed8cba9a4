using System.Buffers;
using System.Diagnostics;

namespace Switchboard.Bench;

/// <summary>
/// <c>bench reconnect-storm</c>: N subscribers receive a steady publication stream; all are dropped at once and come
/// straight back, resubscribing from their last offset where the target can recover. Reports how long until every
/// one is back and whether, counted per message, anything was lost.
/// </summary>
/// <remarks>Thread safety: <see cref="OnPublication"/> runs on every subscriber's receive loop; the rest on one task.</remarks>
internal sealed class ReconnectStormBenchmark : IPublicationSink
{
    private const string Channel = "bench.storm";
    private readonly BenchSession _session;
    private readonly DeliveryLedger _ledger = new(0);
    private int _subscribers;

    public ReconnectStormBenchmark(BenchSession session) => _session = session;

    public void OnPublication(BenchClient client, long sequence, long sentTimestamp, long offset)
    {
        client.Received++;
        if (sequence <= client.LastSequence)
        {
            client.OutOfOrder++;
        }

        client.LastSequence = sequence;
        client.LastOffset = offset;
        _ledger.Count(sequence);
    }

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var settings = _session.Settings;
        var target = _session.Target;
        var report = _session.NewReport();
        var uri = target.SubscriberUri(_session.Url);
        var (subscribers, failed, _, _) = await _session.ConnectManyAsync(
            settings.Connections, uri, this, async client =>
            {
                var outcome = await target.SubscribeAsync(client, Channel, null, cancellationToken).ConfigureAwait(false);
                client.LastOffset = outcome.Offset;
                client.Epoch = outcome.Epoch;
            }, "subscribers", cancellationToken).ConfigureAwait(false);
        if (failed > 0)
        {
            await BenchSession.DisposeAllAsync(subscribers).ConfigureAwait(false);
            throw new BenchException($"{failed} of {settings.Connections} subscribers could not connect and subscribe");
        }

        _subscribers = settings.Connections;
        var publisher = await _session.Factory.ConnectAsync(settings.Connections, target.PublisherUri(_session.Url), target, null, cancellationToken).ConfigureAwait(false);
        var rate = settings.Rates.FirstOrDefault(r => r > 0, 100);
        using var stopPublishing = new CancellationTokenSource();
        long sent = 0;
        var publishing = PublishAsync(publisher, rate, () => Interlocked.Increment(ref sent), stopPublishing.Token);
        var back = new LatencyHistogram();
        int recovered = 0, reconnectFailed = 0;
        long recoveredPublications = 0;
        double allBack;
        try
        {
            await Task.Delay(settings.Warmup, cancellationToken).ConfigureAwait(false);

            // The storm: every subscriber gone at once, then all reconnecting at the same moment.
            var dropped = Stopwatch.GetTimestamp();
            await BenchSession.DisposeAllAsync(subscribers).ConfigureAwait(false);

            // Read after the receive loops ended: what each subscriber had really seen when its connection died.
            var before = subscribers.Select(c => (c!.LastSequence, c.LastOffset, c.Epoch)).ToArray();
            var (again, failedAgain, _, _) = await _session.ConnectManyAsync(settings.Connections, uri, this, async client =>
            {
                var (lastSequence, lastOffset, epoch) = before[client.Index];
                client.LastSequence = lastSequence;
                (long, string)? since = target.SupportsRecovery && epoch is not null ? (lastOffset, epoch) : null;
                var outcome = await target.SubscribeAsync(client, Channel, since, cancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref recoveredPublications, outcome.Publications.Count);
                foreach (var (sequence, offset) in outcome.Publications)
                {
                    OnPublication(client, sequence, 0, offset);
                }

                if (outcome.Recovered)
                {
                    Interlocked.Increment(ref recovered);
                }

                back.Record((long)Stopwatch.GetElapsedTime(dropped).TotalMicroseconds);
            }, "reconnecting", cancellationToken).ConfigureAwait(false);
            allBack = Stopwatch.GetElapsedTime(dropped).TotalSeconds;
            reconnectFailed = failedAgain;
            subscribers = again;

            // Keep publishing a little so that the stream after the storm is checked too.
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(2, settings.Duration.TotalSeconds)), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopPublishing.CancelAsync().ConfigureAwait(false);
            await publishing.ConfigureAwait(false);
        }

        var total = Interlocked.Read(ref sent);
        var drainUntil = Stopwatch.GetTimestamp() + (long)(settings.Drain.TotalSeconds * Stopwatch.Frequency);
        var live = settings.Connections - reconnectFailed;
        while (_ledger.Delivered < total * live && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        await publisher.DisposeAsync().ConfigureAwait(false);
        await BenchSession.DisposeAllAsync(subscribers).ConfigureAwait(false);
        var tally = _ledger.Tally(total, _ => _subscribers);
        report.Storm = new StormResult
        {
            Dropped = settings.Connections,
            Back = settings.Connections - reconnectFailed,
            Failed = reconnectFailed,
            Recovered = recovered,
            RecoveredPublications = recoveredPublications,
            AllBackSeconds = Math.Round(allBack, 3),
            BackLatency = LatencySummary.From(back),
            Published = total,
            Expected = tally.Expected,
            Delivered = tally.Delivered,
            Lost = tally.Lost,
            Duplicated = tally.Duplicated,
        };
        report.Histograms.Add(("time until back (from the drop)", back));
        report.LoadAverageEnd = BenchReport.ReadLoadAverage();
        return report;
    }

    private async Task PublishAsync(BenchClient publisher, double rate, Func<long> next, CancellationToken stop)
    {
        var buffer = new ArrayBufferWriter<byte>(_session.Settings.PayloadBytes + 256);
        var start = Stopwatch.GetTimestamp();
        long sequence = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1;
                while (sequence < due)
                {
                    _ledger.Ensure(sequence);
                    buffer.ResetWrittenCount();
                    _session.Target.WritePublish(buffer, Channel, sequence, Stopwatch.GetTimestamp(), _session.Settings.PayloadBytes);
                    await _session.Target.PublishAsync(publisher, _session.Url, buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                    sequence++;
                    next();
                }

                await Task.Delay(5, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
