using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// A tiny real WebSocket endpoint on 127.0.0.1 that plays a scripted server, for protocol paths the real server on
/// this branch does not have yet (token auth: 1008, <c>token_expiring</c> and <c>refresh</c>).
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedServer(WebApplication app, Uri uri)
    {
        _app = app;
        WebSocketUri = uri;
    }

    public Uri WebSocketUri { get; }

    /// <summary>Authorization headers of every upgrade request, in order.</summary>
    public List<string?> Authorizations { get; } = [];

    public static async Task<ScriptedServer> StartAsync(Func<ScriptedConnection, Task> script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        ScriptedServer? server = null;
        app.Map("/ws", async (HttpContext context) =>
        {
            lock (server!.Authorizations)
            {
                server.Authorizations.Add(context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null);
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await script(new ScriptedConnection(socket));
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        server = new ScriptedServer(app, new Uri($"ws://127.0.0.1:{address.Port}/ws"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One connection to a <see cref="ScriptedServer"/>.</summary>
public sealed class ScriptedConnection(WebSocket socket)
{
    public WebSocket Socket => socket;

    public Task SendAsync(string json) => socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendWelcomeAsync(int ping = 25) => SendAsync($"{{\"type\":\"welcome\",\"client\":\"c1\",\"user\":null,\"node\":\"n\",\"ping\":{ping},\"version\":1}}");

    /// <summary>Reads the next message (null when the client closed), within 10 s.</summary>
    public async Task<JsonObject?> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonNode.Parse(message.ToArray())!.AsObject();
            }
        }
    }

    public async Task CloseAsync(int code, string reason)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.CloseAsync((WebSocketCloseStatus)code, reason, cts.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }
}
