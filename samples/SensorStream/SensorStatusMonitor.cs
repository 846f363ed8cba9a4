namespace SensorStream;

/// <summary>Reports sensors that stopped sending readings as <c>sensor_status</c> offline, checking a few times per <c>OfflineAfter</c>.</summary>
public sealed class SensorStatusMonitor(SensorActivity activity, SensorStreamHandler stream, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(activity.OfflineAfter / 4, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var offline in activity.Expire(time.GetUtcNow()))
                {
                    await stream.BroadcastAsync(offline);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }
}
