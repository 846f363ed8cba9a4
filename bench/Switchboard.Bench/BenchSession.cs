using System.Diagnostics;
using Spectre.Console;

namespace Switchboard.Bench;

/// <summary>What every bench mode shares: settings, the target's protocol, the connection factory and progress output.</summary>
/// <remarks>Thread safety: <see cref="ConnectManyAsync"/> runs many connects at once; the rest is used by the mode's own task.</remarks>
internal sealed class BenchSession : IDisposable
{
    public BenchSession(BenchSettings settings, IAnsiConsole progressConsole)
    {
        Settings = settings;
        Target = BenchTarget.For(settings);
        Url = settings.Url ?? Target.DefaultUrl;
        var addresses = settings.SourceAddresses > 0 ? settings.SourceAddresses : ConnectionFactory.AddressesFor(settings.Connections + settings.IdleConnections + 1);
        Factory = new ConnectionFactory(addresses);
        Console = progressConsole;
    }

    public BenchSettings Settings { get; }

    public BenchTarget Target { get; }

    public Uri Url { get; }

    public ConnectionFactory Factory { get; }

    public IAnsiConsole Console { get; }

    public BenchReport NewReport() => new()
    {
        Mode = Settings.Mode switch
        {
            BenchMode.Fanout => "fanout",
            BenchMode.Connections => "connections",
            BenchMode.Rpc => "rpc",
            BenchMode.Cost => "cost",
            _ => "reconnect-storm",
        },
        Target = Target.Name,
        Url = Url.ToString(),
        Connections = Settings.Connections,
        Channels = Settings.Channels,
        PayloadBytes = Settings.PayloadBytes,
        SourceAddresses = Factory.SourceAddresses,
        LoadAverageStart = BenchReport.ReadLoadAverage(),
    };

    /// <summary>
    /// Opens <paramref name="count"/> connections at the configured rate (or as fast as the concurrency allows) and runs
    /// <paramref name="setup"/> on each (e.g. subscribe). Failed connections are left null and counted.
    /// </summary>
    public async Task<(BenchClient?[] Clients, int Failed, LatencyHistogram Latency, TimeSpan Elapsed)> ConnectManyAsync(
        int count, Uri uri, IPublicationSink? sink, Func<BenchClient, Task>? setup, string what, CancellationToken cancellationToken)
    {
        var clients = new BenchClient?[count];
        var latency = new LatencyHistogram();
        var failed = 0;
        var opened = 0;
        string? firstError = null;
        using var gate = new SemaphoreSlim(Math.Max(1, Settings.ConnectConcurrency));
        var tasks = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        using var progress = StartProgress(() => $"{what}: {Volatile.Read(ref opened):N0}/{count:N0} open, {Volatile.Read(ref failed):N0} failed");
        for (var i = 0; i < count; i++)
        {
            if (Settings.ConnectRate > 0)
            {
                var due = TimeSpan.FromSeconds(i / Settings.ConnectRate) - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                }
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                var began = Stopwatch.GetTimestamp();
                try
                {
                    var client = await Factory.ConnectAsync(index, uri, Target, sink, cancellationToken).ConfigureAwait(false);
                    clients[index] = client;
                    if (setup is not null)
                    {
                        await setup(client).ConfigureAwait(false);
                    }

                    latency.Record((long)Stopwatch.GetElapsedTime(began).TotalMicroseconds);
                    Interlocked.Increment(ref opened);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, ex.GetBaseException().Message, null);
                }
                finally
                {
                    gate.Release();
                }
            }, cancellationToken));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        if (firstError is not null)
        {
            Console.MarkupLineInterpolated($"[yellow]{failed:N0} connections failed; first error: {firstError}[/]");
        }

        return (clients, failed, latency, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>Prints <paramref name="status"/> once a second until disposed: the live progress.</summary>
    public IDisposable StartProgress(Func<string> status) => new ProgressPrinter(Console, status);

    public static async Task DisposeAllAsync(IEnumerable<BenchClient?> clients)
    {
        foreach (var chunk in clients.Where(c => c is not null).Chunk(1000))
        {
            await Task.WhenAll(chunk.Select(c => c!.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
    }

    public void Dispose() => Factory.Dispose();

    private sealed class ProgressPrinter : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public ProgressPrinter(IAnsiConsole console, Func<string> status)
        {
            var start = Stopwatch.GetTimestamp();
            _loop = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    console.MarkupLineInterpolated($"[grey]{Stopwatch.GetElapsedTime(start).TotalSeconds,5:F0}s[/] {status()}");
                }
            });
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _loop.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            _stop.Dispose();
        }
    }
}
