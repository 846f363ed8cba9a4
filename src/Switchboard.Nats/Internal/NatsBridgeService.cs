using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using Switchboard.Server.Internal;

namespace Switchboard.Nats.Internal;

/// <summary>
/// Runs the bridge on this node: one NATS connection, one intake loop per bridge that takes messages in, and the
/// forwarder's send loop. Nothing here stops the node: the connection retries and reconnects by itself (WebSocket
/// clients stay connected meanwhile), and an intake loop that fails starts again after a short backoff.
/// </summary>
internal sealed class NatsBridgeService(
    IOptions<SwitchboardNatsOptions> options,
    SwitchboardServer server,
    NatsForwarder forwarder,
    NatsBridgeMetrics metrics,
    NatsBridgeStatus status,
    ILoggerFactory loggerFactory) : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggerFactory.CreateLogger("Switchboard.Nats");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var routes = SwitchboardNatsOptionsValidator.Compile(settings, []);
        NatsLog.Starting(_logger, string.Join(", ", routes.Select(static r => $"{r.Subject} <-> {r.ChannelPattern} ({r.Direction})")), SwitchboardNatsOptionsValidator.Redact(settings.Url!), settings.QueueGroup);
        var natsOptions = NatsOpts.Default with
        {
            Url = settings.Url!,
            Name = $"switchboard-{settings.QueueGroup}",
            RetryOnInitialConnect = true,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(250),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
        };

        await using var connection = new NatsConnection(natsOptions);
        connection.ConnectionOpened += (_, args) =>
        {
            status.Set(true, $"connected to {connection.ServerInfo?.Name ?? "NATS"}");
            NatsLog.Connected(_logger, connection.ServerInfo?.Name ?? args.Message);
            return ValueTask.CompletedTask;
        };
        connection.ConnectionDisconnected += (_, args) =>
        {
            status.Set(false, "disconnected, reconnecting");
            NatsLog.Disconnected(_logger, args.Message);
            return ValueTask.CompletedTask;
        };

        var intake = new NatsIntake(server, metrics, settings.QueueGroup, _logger);
        var loops = new List<Task> { ConnectAsync(connection, stoppingToken) };
        var intakes = routes.Where(static r => r.Direction.HasFlag(BridgeDirection.NatsToChannels)).ToList();
        status.Intakes = intakes.Count;
        foreach (var route in intakes)
        {
            loops.Add(SuperviseAsync(route.Subject, ct => route.Stream is null
                ? SubjectIntake.RunAsync(connection, route, settings.QueueGroup, intake, status, _logger, ct)
                : JetStreamIntake.RunAsync(connection, route, intake, metrics, status, _logger, ct), stoppingToken));
        }

        if (forwarder.IsActive)
        {
            loops.Add(SuperviseAsync("(channels to NATS)", ct => forwarder.SendAsync(connection, ct), stoppingToken));
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
        status.Set(false, "stopped");
    }

    /// <summary>Connects at start even when only forwarding (which connects lazily), so readiness is true before the first publication.</summary>
    private async Task ConnectAsync(NatsConnection connection, CancellationToken stoppingToken)
    {
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(stoppingToken).ConfigureAwait(false); // retries by itself
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (NatsException ex)
        {
            // The intake loops and the first forwarded publication connect again.
            status.Set(false, "could not connect");
            NatsLog.BridgeFailed(_logger, "(connection)", ex.GetType().Name, MinBackoff, ex);
        }
    }

    /// <summary>Runs a loop until the node stops, starting it again (with backoff) whenever it fails or ends.</summary>
    private async Task SuperviseAsync(string subject, Func<CancellationToken, Task> loop, CancellationToken stoppingToken)
    {
        var backoff = MinBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            try
            {
                await loop(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                metrics.Error("in", "bridge_restart");
                NatsLog.BridgeFailed(_logger, subject, ex.GetType().Name, backoff, ex);
            }

            // A loop that ran for a while before failing starts again quickly; one that keeps failing backs off.
            backoff = DateTime.UtcNow - started > MaxBackoff ? MinBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            try
            {
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
