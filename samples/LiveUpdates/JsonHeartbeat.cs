using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Switchboard.Server.Handlers;

namespace LiveUpdates;

/// <summary>
/// The seed's <c>HeartbeatService</c>: <c>{"type":"ping"}</c> to every connection of this node every
/// <c>--LiveUpdates:HeartbeatInterval</c> (default 30 s), counted from when it connected. One timer serves all
/// connections (not one each) and every ping is the same bytes. Clients may answer <c>{"type":"pong"}</c>
/// (<see cref="WebSocketMixin"/> takes it); one that does not is not closed for it, since the seed's own clients never
/// answer: dead clients are found by the WebSocket pings Switchboard sends besides.
/// </summary>
/// <remarks>
/// Each connection's interval runs from its own start, not from one tick for all: a client's first ping comes a whole
/// interval after it connected (the seed's unit test, which reads the reply to its message as the next message, never
/// meets one), and pings to many clients spread over the interval. Thread safety: <see cref="Watch"/> and
/// <see cref="Forget"/> may be called from any thread.
/// </remarks>
public sealed class JsonHeartbeat(IOptions<LiveUpdatesOptions> options, TimeProvider time) : BackgroundService
{
    private static readonly byte[] Ping = """{"type":"ping"}"""u8.ToArray();

    private readonly ConcurrentDictionary<string, Watched> _connections = new(StringComparer.Ordinal);
    private readonly TimeSpan _interval = options.Value.HeartbeatInterval;

    /// <summary>Starts pinging <paramref name="connection"/>, the first time one interval from now.</summary>
    public void Watch(HandlerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connections[connection.Id] = new Watched(connection, time.GetTimestamp());
    }

    /// <summary>Stops pinging an ended connection.</summary>
    public void Forget(HandlerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connections.TryRemove(connection.Id, out _);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A quarter of the interval (25 ms to 1 s): a ping is at most that late.
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(_interval.TotalMilliseconds / 4, 25, 1000));
        using var timer = new PeriodicTimer(tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                PingDue(time.GetTimestamp());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private void PingDue(long now)
    {
        foreach (var (_, watched) in _connections)
        {
            if (time.GetElapsedTime(watched.LastPing, now) >= _interval)
            {
                watched.LastPing = now; // Only this loop writes it after Watch.
                watched.Connection.Send(Ping); // False for a closing connection, which Forget removes.
            }
        }
    }

    private sealed class Watched(HandlerConnection connection, long since)
    {
        public HandlerConnection Connection { get; } = connection;

        public long LastPing { get; set; } = since;
    }
}
