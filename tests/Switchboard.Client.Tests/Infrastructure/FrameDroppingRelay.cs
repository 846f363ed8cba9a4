using System.Net.WebSockets;
using System.Text;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// A WebSocket relay on 127.0.0.1 between a client and a real server that forwards every frame both ways, except the
/// server frames a predicate picks, which it drops: a link that lost part of the stream without the server knowing
/// (the node's own continuity check never sees it), so only the client's check can notice. Use the client without
/// batching, so that one frame is one message.
/// </summary>
public sealed class FrameDroppingRelay : IAsyncDisposable
{
    private ScriptedServer _server = null!;
    private int _dropped;

    public Uri WebSocketUri => _server.WebSocketUri;

    /// <summary>How many server frames were dropped.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    public static async Task<FrameDroppingRelay> StartAsync(Uri server, Func<string, bool> dropServerFrame)
    {
        var relay = new FrameDroppingRelay();
        relay._server = await ScriptedServer.StartAsync(async connection =>
        {
            var downstream = connection.Socket;
            using var upstream = new ClientWebSocket();
            using var stop = new CancellationTokenSource();
            await upstream.ConnectAsync(server, stop.Token);
            var up = PumpAsync(downstream, upstream, _ => false, stop);
            var down = PumpAsync(upstream, downstream, text =>
            {
                var drop = dropServerFrame(text);
                if (drop)
                {
                    Interlocked.Increment(ref relay._dropped);
                }

                return drop;
            }, stop);
            await Task.WhenAny(up, down);
            await stop.CancelAsync();
        });
        return relay;
    }

    private static async Task PumpAsync(WebSocket from, WebSocket to, Func<string, bool> drop, CancellationTokenSource stop)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await from.ReceiveAsync(buffer, stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await to.CloseOutputAsync(from.CloseStatus ?? WebSocketCloseStatus.NormalClosure, from.CloseStatusDescription, stop.Token);
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = message.ToArray();
                message.SetLength(0);
                if (!drop(Encoding.UTF8.GetString(bytes)))
                {
                    await to.SendAsync(bytes, WebSocketMessageType.Text, true, stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // One side went away: the relay ends the other.
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
