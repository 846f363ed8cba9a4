using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// One timer for all connections (not one per connection): sends its protocol's JSON ping to a client that has been
/// silent for the ping interval, and closes with 4002 one that stays silent past the pong timeout. Connections whose
/// protocol chose WebSocket-level pings are kept alive by their socket instead (<see cref="Transport.WebSocketAcceptor"/>).
/// </summary>
internal sealed class HeartbeatMonitor : BackgroundService
{
    private readonly SwitchboardNode _node;
    private readonly ILogger<HeartbeatMonitor> _logger;

    public HeartbeatMonitor(SwitchboardNode node, ILogger<HeartbeatMonitor> logger)
    {
        _node = node;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = _node.Options;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(options.PingInterval.TotalMilliseconds / 4, 25, 1000));
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Check(Environment.TickCount64, (long)options.PingInterval.TotalMilliseconds, (long)options.PongTimeout.TotalMilliseconds);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    private void Check(long now, long ping, long pongTimeout)
    {
        foreach (var connection in _node.Connections.All)
        {
            var heartbeat = connection.Protocol.Heartbeat;
            if (heartbeat.Kind != Transport.HeartbeatKind.Json)
            {
                continue;
            }

            var silent = now - connection.LastReceiveTicks;
            if (silent > ping + pongTimeout)
            {
                Log.HeartbeatTimeout(_logger, connection.Id, silent / 1000.0);
                connection.Close(CloseCodes.HeartbeatTimeout, "heartbeat timeout", discardQueued: true);
            }
            else if (silent >= ping && now - connection.LastPingTicks >= ping)
            {
                connection.LastPingTicks = now;
                connection.Send(heartbeat.PingMessage);
            }
        }
    }
}
