using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Server.Tests.SignIn;

/// <summary>
/// The application's own sign-in (cookies, JwtBearer) is the connection's identity, in the built-in protocol and in a
/// handler, with channel rules, per-user limits, SendToUser, the ticket's expiry, refresh, and the Origin check that
/// stops another site's page from riding a cookie.
/// </summary>
public sealed class AppSignInTests : IAsyncLifetime
{
    private SignInApp _app = null!;

    public async Task InitializeAsync() => _app = await SignInApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_jwt_bearer_user_is_the_connection_user_and_the_channel_rules_apply_to_them()
    {
        await using var alice = await _app.ConnectWithBearerAsync(_app.Token("alice", roles: ["admin"]));
        Assert.Equal("alice", alice.Welcome["user"]!.GetValue<string>());

        await alice.SubscribeAsync("user.alice");
        await alice.SubscribeAsync("admin.ops");
        var other = await alice.CommandAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "user.bob" });
        Assert.Equal("forbidden", other["error"]!["code"]!.GetValue<string>());

        await alice.PublishAsync("user.alice", "hi");
        var message = await alice.ExpectMessageAsync("user.alice");
        Assert.Equal("alice", message["from"]!["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_user_without_the_admin_role_is_forbidden_the_admin_channels()
    {
        await using var bob = await _app.ConnectWithBearerAsync(_app.Token("bob"));
        var admin = await bob.CommandAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "admin.ops" });
        Assert.Equal("forbidden", admin["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_upgrade_without_a_sign_in_is_refused_by_RequireAuthorization()
    {
        await SignInApp.AssertRefusedAsync(401, () => TestClient.ConnectAsync(_app.Endpoint("/app-jwt")));
        await SignInApp.AssertRefusedAsync(401, () => _app.ConnectWithBearerAsync(Security.Jwt.Rs256(System.Security.Cryptography.RSA.Create(2048), Security.Jwt.Claims("mallory"))));
    }

    [Fact]
    public async Task A_cookie_user_is_the_connection_user_and_SendToUser_reaches_them()
    {
        var cookies = await _app.SignInWithCookieAsync("carol", role: "admin");
        await using var carol = await _app.ConnectWithCookieAsync(cookies);
        Assert.Equal("carol", carol.Welcome["user"]!.GetValue<string>());
        await carol.SubscribeAsync("admin.ops");

        var sent = _app.Server.Services.GetRequiredService<ISwitchboard>().SendToUser("carol", "direct", "{\"n\":1}"u8.ToArray());
        Assert.Equal(1, sent);
        var direct = await carol.ExpectMessageAsync("direct");
        Assert.Equal(1, direct["data"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_cookie_user_from_another_origin_is_refused_and_from_the_apps_own_origin_admitted()
    {
        var cookies = await _app.SignInWithCookieAsync("dave");
        await SignInApp.AssertRefusedAsync(403, () => _app.ConnectWithCookieAsync(cookies, origin: "https://evil.example"));

        await using var samePage = await _app.ConnectWithCookieAsync(cookies, origin: _app.Origin);
        Assert.Equal("dave", samePage.Welcome["user"]!.GetValue<string>());

        // A bearer header is no ambient credential: a page cannot set it on a WebSocket, so no origin is refused for it.
        await using var bearer = await _app.ConnectWithBearerAsync(_app.Token("dave"), origin: "https://elsewhere.example");
        Assert.Equal("dave", bearer.Welcome["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_endpoints_CORS_policy_decides_which_other_origins_may_use_the_cookie()
    {
        var cookies = await _app.SignInWithCookieAsync("dora");
        await using var spa = await _app.ConnectWithCookieAsync(cookies, "/app-cors", origin: SignInApp.SpaOrigin);
        Assert.Equal("dora", spa.Welcome["user"]!.GetValue<string>());
        await SignInApp.AssertRefusedAsync(403, () => _app.ConnectWithCookieAsync(cookies, "/app-cors", origin: "https://evil.example"));
    }

    [Fact]
    public async Task The_per_user_limit_counts_the_apps_users()
    {
        var cookies = await _app.SignInWithCookieAsync("erin");
        var open = new List<TestClient>();
        try
        {
            for (var i = 0; i < SignInApp.MaxConnectionsPerUser; i++)
            {
                open.Add(await _app.ConnectWithCookieAsync(cookies));
            }

            await using var extra = await _app.ConnectWithCookieAsync(cookies, expectWelcome: false);
            var (status, reason) = await extra.WaitForCloseAsync();
            Assert.Equal((WebSocketCloseStatus)1013, status);
            Assert.Equal("too many connections for this user", reason);
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_signed_in_user_without_a_user_id_claim_is_refused_with_1008()
    {
        var cookies = await _app.SignInWithCookieAsync("unused", path: "/signin-nameless");
        await using var client = await _app.ConnectWithCookieAsync(cookies, expectWelcome: false);
        var (status, reason) = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Contains("has no sub or NameIdentifier claim", reason);
    }

    [Fact]
    public async Task A_handler_class_with_Authorize_gets_the_bearer_user_and_refuses_anonymous_upgrades()
    {
        await SignInApp.AssertRefusedAsync(401, () => TestClient.ConnectAsync(_app.Endpoint("/handler"), expectWelcome: false));

        await using var frank = await _app.ConnectWithBearerAsync(_app.Token("frank", roles: ["ops", "admin"]), "/handler");
        Assert.Equal("frank", frank.Welcome["user"]!.GetValue<string>());
        Assert.Equal(["admin", "ops"], frank.Welcome["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("Bearer", frank.Welcome["scheme"]!.GetValue<string>());

        await using var grace = await _app.ConnectWithBearerAsync(_app.Token("grace"), "/handler");
        await frank.SendAsync(new { type = "to_user", target = "grace", text = "hello grace" });
        var notice = await grace.ReceiveTypeAsync("notice");
        Assert.Equal("hello grace", notice["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bearer_ticket_that_expires_closes_the_connection_with_4001()
    {
        await using var client = await _app.ConnectWithBearerAsync(_app.Token("henry", TimeSpan.FromSeconds(3)));
        await client.ReceiveTypeAsync("token_expiring");
        var (status, reason) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("token expired", reason);
    }

    [Fact]
    public async Task A_refresh_with_a_new_bearer_token_is_validated_by_the_same_scheme_and_extends_the_connection()
    {
        await using var client = await _app.ConnectWithBearerAsync(_app.Token("ivy", TimeSpan.FromSeconds(4)));
        await client.ReceiveTypeAsync("token_expiring");

        var foreign = await client.CommandAsync(new JsonObject { ["type"] = "refresh", ["token"] = Security.Jwt.Rs256(System.Security.Cryptography.RSA.Create(2048), Security.Jwt.Claims("ivy")) });
        Assert.Equal("unauthorized", foreign["error"]!["code"]!.GetValue<string>());
        Assert.Equal("invalid signature", foreign["error"]!["message"]!.GetValue<string>());

        var otherUser = await client.CommandAsync(new JsonObject { ["type"] = "refresh", ["token"] = _app.Token("jack") });
        Assert.Equal("forbidden", otherUser["error"]!["code"]!.GetValue<string>());

        // Connected after the client, so its ticket expires no earlier than the client's first one did.
        await using var witness = await _app.ConnectWithBearerAsync(_app.Token("ivy", TimeSpan.FromSeconds(4)));
        var renewed = await client.OkAsync(new JsonObject { ["type"] = "refresh", ["token"] = _app.Token("ivy") });
        Assert.True(renewed!["expires"]!.GetValue<long>() > Security.Jwt.Now + 3000);

        // The witness's close shows that the expiry check ran past the first ticket's end; the refreshed one stays.
        Assert.Equal((WebSocketCloseStatus)4001, (await witness.WaitForCloseAsync(TimeSpan.FromSeconds(30))).Status);
        Assert.True(client.IsOpen);
        Assert.NotNull(await client.RpcAsync("echo", "still here"));
    }

    [Fact]
    public void MapSwitchboard_without_AddSwitchboard_says_what_to_call()
    {
        var builder = WebApplication.CreateSlimBuilder();
        using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapSwitchboard("/ws"));
        Assert.Contains("call builder.Services.AddSwitchboard()", error.Message);
        var handler = Assert.Throws<InvalidOperationException>(() => app.MapSwitchboardHandler<SignedInHandler>("/h"));
        Assert.Contains("call builder.Services.AddSwitchboard()", handler.Message);
    }
}
