using System.Text.Json;

namespace TopicManager;

/// <summary>Once a second: takes the <see cref="TopicTraffic"/> report, encodes it once and hands it to the <see cref="TrafficHandler"/>'s listeners.</summary>
public sealed class TrafficReporter(TopicTraffic traffic, TrafficHandler listeners, TimeProvider time) : BackgroundService
{
    /// <summary>How often a report is sent (and how long its message counts cover).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var report = traffic.Report(time.GetUtcNow());
                listeners.Broadcast(JsonSerializer.SerializeToUtf8Bytes(report, TopicJsonContext.Default.TrafficReport));
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }
}
