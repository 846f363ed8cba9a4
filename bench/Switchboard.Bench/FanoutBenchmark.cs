using System.Buffers;
using System.Diagnostics;

namespace Switchboard.Bench;

/// <summary>
/// <c>bench fanout</c>: N subscribers over M channels and one publisher that steps through the asked rates. Each rate
/// runs a warm-up, then a measured window, then waits for what is in flight; loss is counted per message.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="OnPublication"/> runs on every subscriber's receive loop at once; the ledger and the
/// histogram are swapped per step and read with <see cref="Volatile"/>.
/// </remarks>
internal sealed class FanoutBenchmark : IPublicationSink
{
    private readonly BenchSession _session;
    private readonly string[] _channels;
    private readonly int[] _subscribersPerChannel;
    private DeliveryLedger _ledger = new(0);
    private LatencyHistogram _latency = new();
    private long _measureFrom = long.MaxValue;
    private long _measureTo = long.MaxValue;
    private long _nextSequence;
    private BenchClient?[] _subscribers = [];

    public FanoutBenchmark(BenchSession session)
    {
        _session = session;
        var channels = session.Target is RawTarget ? 1 : Math.Max(1, session.Settings.Channels);
        _channels = Enumerable.Range(0, channels).Select(i => $"bench.{i}").ToArray();
        _subscribersPerChannel = new int[channels];
    }

    public void OnPublication(BenchClient client, long sequence, long sentTimestamp, long offset)
    {
        var now = Stopwatch.GetTimestamp();
        client.Received++;
        if (sequence <= client.LastSequence)
        {
            client.OutOfOrder++;
        }

        client.LastSequence = sequence;
        client.LastOffset = offset;
        Volatile.Read(ref _ledger).Count(sequence);
        if (sequence >= Volatile.Read(ref _measureFrom) && sequence < Volatile.Read(ref _measureTo))
        {
            Volatile.Read(ref _latency).Record((now - sentTimestamp) * 1_000_000 / Stopwatch.Frequency);
        }
    }

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var settings = _session.Settings;
        var report = _session.NewReport();
        await ConnectSubscribersAsync(cancellationToken).ConfigureAwait(false);
        var publisher = await ConnectPublisherAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var rate in settings.Rates)
            {
                var step = await RunStepAsync(publisher, rate, cancellationToken).ConfigureAwait(false);
                report.Steps.Add(step);
                report.Histograms.Add(($"{(rate > 0 ? $"{rate:N0} msgs/s" : "max rate")}", Volatile.Read(ref _latency)));
                var fellBehind = step.Lost > 0 || (rate > 0 && step.AchievedRate < rate * 0.95) || step.Latency.P99 > 10 * settings.LatencyBudget.TotalMilliseconds;
                if (fellBehind && settings.StopWhenNotHeld)
                {
                    // Past this rate the server sheds slow consumers or falls behind: the next steps would measure the wreckage.
                    break;
                }
            }
        }
        finally
        {
            await publisher.DisposeAsync().ConfigureAwait(false);
            await DisposeSubscribersAsync().ConfigureAwait(false);
        }

        report.LoadAverageEnd = BenchReport.ReadLoadAverage();
        return report;
    }

    public IReadOnlyCollection<BenchClient?> Subscribers => _subscribers;

    /// <summary>The latency histogram of the last step.</summary>
    public LatencyHistogram LastHistogram => Volatile.Read(ref _latency);

    /// <summary>Opens the <c>-n</c> subscribers, spread over the channels; throws when any of them cannot subscribe.</summary>
    public async Task ConnectSubscribersAsync(CancellationToken cancellationToken)
    {
        var settings = _session.Settings;
        var target = _session.Target;
        var (subscribers, failed, _, _) = await _session.ConnectManyAsync(
            settings.Connections,
            target.SubscriberUri(_session.Url),
            this,
            async client =>
            {
                var channel = client.Index % _channels.Length;
                client.Channel = _channels[channel];
                var outcome = await target.SubscribeAsync(client, client.Channel, null, cancellationToken).ConfigureAwait(false);
                client.LastOffset = outcome.Offset;
                client.Epoch = outcome.Epoch;
                Interlocked.Increment(ref _subscribersPerChannel[channel]);
            },
            "subscribers",
            cancellationToken).ConfigureAwait(false);
        _subscribers = subscribers;
        if (failed > 0)
        {
            await BenchSession.DisposeAllAsync(subscribers).ConfigureAwait(false);
            throw new BenchException($"{failed} of {settings.Connections} subscribers could not connect and subscribe");
        }
    }

    /// <summary>The publisher's connection (the one after the subscribers' source ports).</summary>
    public Task<BenchClient> ConnectPublisherAsync(CancellationToken cancellationToken) =>
        _session.Factory.ConnectAsync(_session.Settings.Connections, _session.Target.PublisherUri(_session.Url), _session.Target, null, cancellationToken);

    public Task DisposeSubscribersAsync() => BenchSession.DisposeAllAsync(_subscribers);

    /// <summary>One rate: warm-up, the measured window, the drain, then the count message by message.</summary>
    public async Task<FanoutStep> RunStepAsync(BenchClient publisher, double rate, CancellationToken cancellationToken)
    {
        var settings = _session.Settings;
        var first = _nextSequence;
        var ledger = new DeliveryLedger(first);
        Volatile.Write(ref _ledger, ledger);
        Volatile.Write(ref _latency, new LatencyHistogram());
        Volatile.Write(ref _measureFrom, long.MaxValue);
        Volatile.Write(ref _measureTo, long.MaxValue);
        var buffer = new ArrayBufferWriter<byte>(settings.PayloadBytes + 256);
        var outOfOrderBefore = _subscribers.Sum(c => c?.OutOfOrder ?? 0);
        var sent = 0L;
        long expected = 0;
        var warmup = settings.Warmup.TotalSeconds;
        var total = warmup + settings.Duration.TotalSeconds;
        var label = rate > 0 ? $"{rate:N0} msgs/s" : "max rate";
        using var progress = _session.StartProgress(() => $"{label}: published {Volatile.Read(ref sent):N0}, delivered {ledger.Delivered:N0}");

        async ValueTask PublishAsync(long sequence, long timestamp)
        {
            var channel = (int)(sequence % _channels.Length);
            ledger.Ensure(sequence);
            buffer.ResetWrittenCount();
            _session.Target.WritePublish(buffer, _channels[channel], sequence, timestamp, settings.PayloadBytes);
            expected += _subscribersPerChannel[channel];
            await _session.Target.PublishAsync(publisher, _session.Url, buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref sent, sent + 1);
        }

        var start = Stopwatch.GetTimestamp();
        long measureStartTicks = 0;
        var serverCpuBefore = ReadServerCpu();
        double? serverCpuAtMeasure = null;
        var clientCpuBefore = ProcessCpu.Seconds(Environment.ProcessId);
        if (rate > 0)
        {
            // Each message carries its scheduled send time, not the time the loop got to it: a publisher held up by
            // backpressure then shows as latency instead of hiding it (no coordinated omission).
            var totalCount = (long)(total * rate);
            Volatile.Write(ref _measureFrom, first + (long)(warmup * rate));
            Volatile.Write(ref _measureTo, first + totalCount);
            var ticksPerMessage = Stopwatch.Frequency / rate;
            var warmupCount = (long)(warmup * rate);
            while (sent < totalCount)
            {
                var due = Math.Min(totalCount, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
                while (sent < due)
                {
                    if (sent == warmupCount)
                    {
                        serverCpuAtMeasure = ReadServerCpu();
                    }

                    await PublishAsync(first + sent, start + (long)(sent * ticksPerMessage)).ConfigureAwait(false);
                }

                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }

            measureStartTicks = start + (long)(warmup * Stopwatch.Frequency);
        }
        else
        {
            // As fast as the server keeps up: a window of publications in flight per channel, refilled as deliveries arrive.
            var window = (long)settings.Window * _subscribersPerChannel.Sum();
            var measuring = false;
            while (true)
            {
                var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (elapsed >= total)
                {
                    break;
                }

                if (!measuring && elapsed >= warmup)
                {
                    measuring = true;
                    serverCpuAtMeasure = ReadServerCpu();
                    measureStartTicks = Stopwatch.GetTimestamp();
                    Volatile.Write(ref _measureFrom, first + sent);
                }

                if (expected - ledger.Delivered < window)
                {
                    await PublishAsync(first + sent, Stopwatch.GetTimestamp()).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }
            }

            Volatile.Write(ref _measureTo, first + sent);
        }

        var measuredSeconds = Stopwatch.GetElapsedTime(measureStartTicks).TotalSeconds;
        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var serverCpu = ProcessCpu.Percent(serverCpuBefore, ReadServerCpu(), wall);
        var clientCpu = ProcessCpu.Percent(clientCpuBefore, ProcessCpu.Seconds(Environment.ProcessId), wall);
        _nextSequence = first + sent;

        // Wait for what is still in flight, then count message by message.
        var drainUntil = Stopwatch.GetTimestamp() + (long)(settings.Drain.TotalSeconds * Stopwatch.Frequency);
        while (ledger.Delivered < expected && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        // The cost of a delivery: the server's CPU from the first measured publication until the last delivery came
        // in (or the drain gave up), over the deliveries of the measured publications.
        var measuredCpu = serverCpuAtMeasure is { } atMeasure && ReadServerCpu() is { } atEnd ? Math.Max(0, atEnd - atMeasure) : (double?)null;
        var tally = ledger.Tally(first + sent, sequence => _subscribersPerChannel[sequence % _channels.Length]);
        var latency = LatencySummary.From(Volatile.Read(ref _latency));
        var measured = Volatile.Read(ref _measureTo) - Volatile.Read(ref _measureFrom);
        var achieved = measuredSeconds > 0 ? measured / measuredSeconds : 0;
        return new FanoutStep
        {
            Rate = rate,
            AchievedRate = Math.Round(achieved, 1),
            Published = sent,
            Expected = tally.Expected,
            Delivered = tally.Delivered,
            Lost = tally.Lost,
            Duplicated = tally.Duplicated,
            OutOfOrder = _subscribers.Sum(c => c?.OutOfOrder ?? 0) - outOfOrderBefore,
            DeliveriesPerSecond = Math.Round(measuredSeconds > 0 ? latency.Count / measuredSeconds : 0),
            Latency = latency,
            ServerCpuPercent = serverCpu,
            ServerCpuSeconds = measuredCpu is { } cpu ? Math.Round(cpu, 3) : null,
            ServerCpuMicrosecondsPerDelivery = measuredCpu is { } seconds && latency.Count > 0 ? Math.Round(seconds * 1e6 / latency.Count, 2) : null,
            LoadGeneratorCpuPercent = clientCpu,
            Held = tally.Lost == 0 && tally.Duplicated == 0 && latency.P99 <= settings.LatencyBudget.TotalMilliseconds && (rate <= 0 || achieved >= rate * 0.95),
        };
    }

    private double? ReadServerCpu() => _session.Settings.ServerPid is { } pid ? ProcessCpu.Seconds(pid) : null;
}

/// <summary>A bench run that cannot go on (e.g. the server refused the connections); reported without a stack trace.</summary>
internal sealed class BenchException(string message) : Exception(message);
