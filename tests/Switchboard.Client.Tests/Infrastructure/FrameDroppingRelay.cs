using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// A WebSocket relay on 127.0.0.1 between a client and a real server that forwards every frame both ways, except the
/// server frames a predicate picks, which it drops: a link that lost part of the stream without the server knowing
/// (the node's own continuity check never sees it), so only the client's check can notice. Use the client without
/// batching, so that one frame is one message.
/// </summary>
public sealed class FrameDroppingRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _dropped;

    private FrameDroppingRelay(WebApplication app, Uri uri)
    {
        _app = app;
        WebSocketUri = uri;
    }

    public Uri WebSocketUri { get; }

    /// <summary>How many server frames were dropped.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    public static async Task<FrameDroppingRelay> StartAsync(Uri server, Func<string, bool> dropServerFrame)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        FrameDroppingRelay? relay = null;
        app.Map("/ws", async (HttpContext context) =>
        {
            using var downstream = await context.WebSockets.AcceptWebSocketAsync("switchboard.v1.json");
            using var upstream = new ClientWebSocket();
            await upstream.ConnectAsync(server, context.RequestAborted);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            var up = PumpAsync(downstream, upstream, _ => false, stop);
            var down = PumpAsync(upstream, downstream, text =>
            {
                var drop = dropServerFrame(text);
                if (drop)
                {
                    Interlocked.Increment(ref relay!._dropped);
                }

                return drop;
            }, stop);
            await Task.WhenAny(up, down);
            await stop.CancelAsync();
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        relay = new FrameDroppingRelay(app, new Uri($"ws://127.0.0.1:{address.Port}/ws"));
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
