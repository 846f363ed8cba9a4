using Microsoft.Extensions.Options;

namespace LiveUpdates;

/// <summary>
/// The seed's <c>HeartbeatService.start_heartbeat</c>: <c>{"type":"ping"}</c> to every connection of this node every
/// <c>--LiveUpdates:HeartbeatInterval</c> (default 30 s), one timer for all of them and the same bytes for each.
/// Clients may answer <c>{"type":"pong"}</c> (<see cref="WebSocketMixin"/> takes it); one that does not is not closed
/// for it, since the seed's own clients never do: dead clients are found by Switchboard's WebSocket pings.
/// </summary>
public sealed class JsonHeartbeat(WebSocketMixin mixin, IOptions<LiveUpdatesOptions> options, TimeProvider time) : BackgroundService
{
    private static readonly byte[] Ping = """{"type":"ping"}"""u8.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                mixin.SendToAll(Ping);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }
}
