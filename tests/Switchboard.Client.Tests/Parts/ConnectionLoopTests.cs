using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Client.Internal;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests.Parts;

/// <summary>The connection loop on its own, against a scripted WebSocket endpoint: connect, lose, reconnect, stop.</summary>
public sealed class ConnectionLoopTests
{
    private static readonly SwitchboardClientOptions Fast = new()
    {
        Reconnect = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
    };

    /// <summary>Records what the loop reports; answers welcome as the client does.</summary>
    private sealed class Recorder : IConnectionEvents
    {
        public ConcurrentQueue<string> Reports { get; } = new();

        public ValueTask OnMessageAsync(ClientConnection connection, ReadOnlyMemory<byte> frame)
        {
            if (ServerMessageReader.Read(frame.Span) is { Type: ServerMessageType.Welcome } welcome)
            {
                connection.OnWelcome(TimeSpan.FromSeconds(welcome.PingSeconds));
            }

            return ValueTask.CompletedTask;
        }

        public void OnConnected(ClientConnection connection) => Reports.Enqueue($"connected {connection.Generation}");

        public void OnConnectionLost(DisconnectInfo disconnect) => Reports.Enqueue($"lost {disconnect.CloseCode}");

        public void OnStopped(DisconnectInfo? disconnect) => Reports.Enqueue($"stopped {disconnect?.CloseCode}");
    }

    private static ConnectionLoop Loop(Uri url, Recorder recorder, List<ConnectionState> states) => new(
        new SwitchboardClientOptions { Url = url, Reconnect = Fast.Reconnect },
        NullLogger.Instance,
        recorder,
        e =>
        {
            lock (states)
            {
                states.Add(e.Current);
            }
        });

    [Fact]
    public async Task A_connection_closed_with_1001_is_reported_lost_and_replaced_by_the_next_one()
    {
        var connections = 0;
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            await c.SendWelcomeAsync();
            if (Interlocked.Increment(ref connections) == 1)
            {
                await c.CloseAsync(CloseCodes.GoingAway, "restart");
                return;
            }

            await c.ReceiveAsync(); // Until the client closes.
        });
        var recorder = new Recorder();
        var states = new List<ConnectionState>();
        var loop = Loop(server.WebSocketUri, recorder, states);

        await loop.ConnectAsync(CancellationToken.None).OrTimeout();
        await Wait.UntilAsync(() => recorder.Reports.Contains("connected 2"), "the second connection");
        await loop.StopAsync().OrTimeout();
        loop.Dispose();

        Assert.Equal(["connected 1", "lost 1001", "connected 2", "stopped 1000"], recorder.Reports);
        lock (states)
        {
            Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected, ConnectionState.Disconnected], states);
        }

        Assert.Equal(new DisconnectInfo(CloseCodes.Normal, "client disconnect", false), loop.LastDisconnect);
    }

    [Fact]
    public async Task A_close_that_forbids_reconnecting_stops_the_loop_and_fails_the_connect()
    {
        await using var server = await ScriptedServer.StartAsync(c => c.CloseAsync(CloseCodes.PolicyViolation, "invalid token"));
        var recorder = new Recorder();
        var loop = Loop(server.WebSocketUri, recorder, []);

        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => loop.ConnectAsync(CancellationToken.None).OrTimeout());
        Assert.Equal(CloseCodes.PolicyViolation, error.Disconnect!.CloseCode);
        Assert.Equal(ConnectionState.Disconnected, loop.State);
        Assert.Equal([$"stopped {CloseCodes.PolicyViolation}"], recorder.Reports); // Never connected, so never lost.
    }
}
