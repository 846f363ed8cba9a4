using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// One timer for all connections (not one per connection): sends its protocol's JSON ping to a client that has been
/// silent for the ping interval, and closes with 4002 one that stays silent past the pong timeout. Connections whose
/// protocol chose WebSocket-level pings are kept alive by their socket instead (<see cref="Transport.WebSocketAcceptor"/>).
/// Time is the node's <see cref="TimeProvider"/> (from DI), so a test can drive heartbeats with a fake clock.
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
        var time = _node.Time;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(options.PingInterval.TotalMilliseconds / 4, 25, 1000));
        using var timer = new PeriodicTimer(tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Check(time, time.GetTimestamp(), options.PingInterval, options.PongTimeout);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    private void Check(TimeProvider time, long now, TimeSpan ping, TimeSpan pongTimeout)
    {
        foreach (var connection in _node.Connections.All)
        {
            var heartbeat = connection.Protocol.Heartbeat;
            if (heartbeat.Kind != Transport.HeartbeatKind.Json)
            {
                continue;
            }

            var silent = time.GetElapsedTime(connection.LastReceiveTimestamp, now);
            if (silent > ping + pongTimeout)
            {
                Log.HeartbeatTimeout(_logger, connection.Id, silent.TotalSeconds);
                connection.Close(CloseCodes.HeartbeatTimeout, "heartbeat timeout", discardQueued: true);
            }
            else if (silent >= ping && (connection.LastPingTimestamp == 0 || time.GetElapsedTime(connection.LastPingTimestamp, now) >= ping))
            {
                connection.LastPingTimestamp = now;
                connection.Send(heartbeat.PingMessage);
            }
        }
    }
}
