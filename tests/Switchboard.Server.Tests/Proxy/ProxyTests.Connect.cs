using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Proxy;

/// <summary>The connect and refresh calls: a client without a token is whoever the backend says, from its cookie.</summary>
public sealed partial class ProxyTests
{
    private Task<TestServer> StartConnectServerAsync(bool refresh = false) =>
        StartServerAsync(
            o =>
            {
                o.Connect.Url = _backend.Url("connect");
                if (refresh)
                {
                    o.Refresh.Url = _backend.Url("refresh");
                }
            },
            services => services.Configure<SwitchboardSecurityOptions>(o => o.Auth.ClockSkew = TimeSpan.Zero));

    /// <summary>Waits until the wall clock is past <paramref name="unixSeconds"/>.</summary>
    private static async Task PassAsync(long unixSeconds)
    {
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() <= unixSeconds)
        {
            await Task.Delay(100);
        }
    }

    private static Task<TestClient> ConnectUnwelcomedAsync(TestServer server) =>
        TestClient.ConnectAsync(server.WebSocketUri, o => o.SetRequestHeader("Cookie", "session=s3cret"), expectWelcome: false);

    [Fact]
    public async Task A_client_without_a_token_is_the_user_the_backend_names_from_its_cookie_with_its_data_in_welcome()
    {
        await using var server = await StartConnectServerAsync();
        _backend.Respond = static (call, context) => ProxyBackend.Json(context, call.Kind == "connect"
            ? call.Headers.GetValueOrDefault("Cookie") == "session=s3cret"
                ? """{"result":{"user":"ada","roles":["admin"],"data":{"theme":"dark"}}}"""
                : """{"error":{"code":"unauthorized","message":"no session"}}"""
            : """{"result":{}}""");
        await using var client = await ConnectWithCookieAsync(server);

        Assert.Equal("ada", client.Welcome["user"]!.GetValue<string>());
        Assert.Equal("dark", client.Welcome["data"]!["theme"]!.GetValue<string>());
        var connect = _backend.Calls.Single(c => c.Kind == "connect");
        Assert.Equal(client.Welcome["client"]!.GetValue<string>(), connect.Body["client"]!.GetValue<string>());
        Assert.Equal("websocket", connect.Body["transport"]!.GetValue<string>());

        // The user is who later calls name.
        await client.SubscribeAsync("orders.1");
        Assert.Equal("ada", _backend.Calls.Single(c => c.Kind == "subscribe").Body["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_connect_the_backend_refuses_closes_with_1008_and_its_message()
    {
        await using var server = await StartConnectServerAsync();
        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"error":{"code":"unauthorized","message":"no session"}}""");
        await using var client = await ConnectUnwelcomedAsync(server);

        var (status, reason) = await client.WaitForCloseAsync();
        Assert.Equal(1008, (int?)status);
        Assert.Equal("no session", reason);
    }

    [Fact]
    public async Task A_connect_the_backend_disconnects_closes_with_its_code()
    {
        await using var server = await StartConnectServerAsync();
        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"disconnect":{"code":4403,"reason":"banned"}}""");
        await using var client = await ConnectUnwelcomedAsync(server);
        Assert.Equal(4403, (int?)(await client.WaitForCloseAsync()).Status);
    }

    [Theory]
    [InlineData("stopped")]
    [InlineData("500")]
    [InlineData("invalid result")]
    public async Task A_connect_the_backend_cannot_answer_closes_with_1013_and_the_server_lives(string failure)
    {
        await using var server = await StartConnectServerAsync();
        _backend.Respond = failure == "500"
            ? static (_, context) =>
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return Task.CompletedTask;
            }
            : static (_, context) => ProxyBackend.Json(context, """{"result":{"user":42}}""");
        if (failure == "stopped")
        {
            await _backend.StopAsync();
        }

        await using var client = await ConnectUnwelcomedAsync(server);
        Assert.Equal(1013, (int?)(await client.WaitForCloseAsync()).Status);
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        Assert.True((await http.GetAsync("/health/live")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task The_backend_is_asked_to_refresh_before_expire_at_and_its_new_expiry_keeps_the_connection_open()
    {
        await using var server = await StartConnectServerAsync(refresh: true);
        var expiresSoon = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds();
        var later = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        _backend.Respond = (call, context) => ProxyBackend.Json(context, call.Kind switch
        {
            "connect" => $$$"""{"result":{"user":"ada","expire_at":{{{expiresSoon}}}}}""",
            "refresh" => $$$"""{"result":{"expire_at":{{{later}}}}}""",
            _ => """{"result":{}}""",
        });
        await using var client = await ConnectWithCookieAsync(server);

        // TokenExpiringAhead (default 30 s) is past already: the refresh goes out on the monitor's next tick.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!_backend.Calls.Any(c => c.Kind == "refresh"))
        {
            Assert.True(DateTime.UtcNow < deadline, "no refresh call");
            await Task.Delay(100);
        }

        var refresh = _backend.Calls.First(c => c.Kind == "refresh");
        Assert.Equal("ada", refresh.Body["user"]!.GetValue<string>());
        Assert.Equal("session=s3cret", refresh.Headers["Cookie"]);

        // Past the first expiry the connection is still open.
        await PassAsync(expiresSoon + 1);
        Assert.Equal(1, (await client.RpcAsync("echo", 1))!.GetValue<int>());
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task Without_a_refresh_url_the_connection_closes_with_4001_at_the_backends_expire_at()
    {
        await using var server = await StartConnectServerAsync();
        var expiresSoon = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds();
        _backend.Respond = (_, context) => ProxyBackend.Json(context, $$$"""{"result":{"user":"ada","expire_at":{{{expiresSoon}}}}}""");
        await using var client = await ConnectWithCookieAsync(server);
        Assert.Equal(4001, (int?)(await client.WaitForCloseAsync(TimeSpan.FromSeconds(30))).Status);
    }
}
