using System.Net.WebSockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Handlers;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Handlers;

/// <summary>
/// A real server (Kestrel on 127.0.0.1:0) with the test handlers mapped beside the built-in protocol: the chat handler
/// at <c>/chat/{room_id}</c>, with <c>action</c> as its type property at <c>/action</c>, with a required token at
/// <c>/secure</c>, rate limited to 3 messages a minute at <c>/limited</c>, with JSON pings at <c>/json-ping</c>; the
/// first-message handler at <c>/first</c>; the result-error handler at <c>/results</c>. Tokens are HS256 with <see cref="Secret"/>.
/// </summary>
public static class HandlerServer
{
    public const string Secret = "handler-tests-secret-of-at-least-32-bytes!";

    public const int RateLimit = 3;

    public static Task<TestServer> StartAsync(Action<SwitchboardOptions>? configure = null, Action<IServiceCollection>? configureServices = null) =>
        TestServer.StartAsync(
            configure,
            services =>
            {
                services.Configure<SwitchboardSecurityOptions>(o => o.Auth.Secret = Secret);
                configureServices?.Invoke(services);
            },
            Map);

    /// <summary>Maps the test handlers on <paramref name="app"/>.</summary>
    public static void Map(WebApplication app)
    {
        app.MapSwitchboardHandler<ChatTestHandler>("/chat/{room_id}");
        app.MapSwitchboardHandler<ChatTestHandler>("/action", o => o.TypeProperty = "action");
        app.MapSwitchboardHandler<ChatTestHandler>("/secure", o =>
        {
            o.Authentication = HandlerAuthentication.Required;
            o.TokenRejectedReason = "Invalid token";
        });
        app.MapSwitchboardHandler<ChatTestHandler>("/limited", o => o.RateLimiter = static () => new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = RateLimit,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        }));
        app.MapSwitchboardHandler<ChatTestHandler>("/json-ping", o => o.Heartbeat = HandlerHeartbeat.JsonPing);
        app.MapSwitchboardHandler<FirstMessageAuthHandler>("/first");
        app.MapSwitchboardHandler<ResultErrorHandler>("/results");
    }

    public static ChatTestHandler Chat(this TestServer server) =>
        (ChatTestHandler)server.Services.GetRequiredService<Server.Handlers.Internal.HandlerInstances>().GetOrCreate<ChatTestHandler>(server.Services);

    public static Uri Endpoint(this TestServer server, string pathAndQuery) => new($"ws://{server.BaseUri.Authority}{pathAndQuery}");

    /// <summary>Connects to a handler endpoint and reads its <c>welcome</c>.</summary>
    public static async Task<HandlerClient> ConnectChatAsync(this TestServer server, string pathAndQuery = "/chat/lobby", Action<ClientWebSocketOptions>? options = null)
    {
        var client = await TestClient.ConnectAsync(server.Endpoint(pathAndQuery), options, expectWelcome: false);
        var welcome = await client.ReceiveTypeAsync("welcome");
        return new HandlerClient(client, welcome["connection_id"]!.GetValue<string>(), welcome);
    }

    /// <summary>An HS256 token for <paramref name="sub"/>, with a <c>username</c> claim.</summary>
    public static string Token(string sub, params string[] roles)
    {
        var claims = Security.Jwt.Claims(sub, roles);
        claims.Remove("iss");
        claims.Remove("aud");
        claims["username"] = sub + "-name";
        return Security.Jwt.Hs256(System.Text.Encoding.UTF8.GetBytes(Secret), claims);
    }
}

/// <summary>A test client on a chat handler endpoint and the connection id its welcome gave.</summary>
public sealed record HandlerClient(TestClient Client, string Id, System.Text.Json.Nodes.JsonObject Welcome) : IAsyncDisposable
{
    public Task SendAsync(object message) => Client.SendAsync(message);

    public Task<System.Text.Json.Nodes.JsonObject> ReceiveTypeAsync(string type) => Client.ReceiveTypeAsync(type);

    public Task<System.Text.Json.Nodes.JsonObject> ReceiveAsync(Func<System.Text.Json.Nodes.JsonObject, bool> match) => Client.ReceiveAsync(match);

    /// <summary>The next message, whatever it is: used after a marker broadcast to show that nothing came before it.</summary>
    public Task<System.Text.Json.Nodes.JsonObject> NextAsync() => Client.ReceiveAnyAsync();

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
