using Microsoft.Extensions.Hosting;

namespace Switchboard.Server.Security.Internal;

/// <summary>
/// Loads the provider's keys at start without holding the start up, retrying with backoff and jitter on the DI
/// <see cref="TimeProvider"/> until they load; afterwards the configuration manager refreshes them on its own.
/// </summary>
internal sealed class ProviderKeysLoader(ProviderKeys keys, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        try
        {
            while (!await keys.LoadAsync(stoppingToken).ConfigureAwait(false))
            {
                var jittered = delay * (0.5 + Random.Shared.NextDouble() / 2);
                await Task.Delay(jittered, time, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }
}
