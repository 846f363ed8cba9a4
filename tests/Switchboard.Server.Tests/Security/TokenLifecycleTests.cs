using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Security;

/// <summary>
/// Token sources, the auth handshake, expiry on a live connection, refresh, and the channels claim. Expiry runs on the
/// server's <see cref="TimeProvider"/>, so the expiry tests move a fake clock instead of racing a real one.
/// </summary>
public sealed class TokenLifecycleTests : IAsyncLifetime
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("a-test-secret-that-is-at-least-32-bytes-long");
    private static readonly TimeSpan ExpiringAhead = TimeSpan.FromSeconds(10);
    private const long TokenLifetime = 600; // Seconds.
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await StartAsync(o =>
    {
        o.Auth.Secret = Encoding.UTF8.GetString(Secret);
        o.Auth.ClockSkew = TimeSpan.Zero;
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Task<TestServer> StartAsync(Action<SwitchboardSecurityOptions> configure) =>
        TestServer.StartAsync(configureServices: services => services.Configure(configure));

    /// <summary>
    /// A server whose token expiry runs on <paramref name="time"/>: the expiry tests move that clock to the warning
    /// window and past <c>exp</c> instead of waiting seconds on a real one. Their tokens expire
    /// <see cref="TokenLifetime"/> seconds after the real clock, which the token validator reads, so it accepts them
    /// for the whole test. Heartbeats are set out of the way of the clock's jumps.
    /// </summary>
    private static Task<TestServer> StartWithClockAsync(FakeTimeProvider time) => TestServer.StartAsync(
        o =>
        {
            o.PingInterval = TimeSpan.FromHours(1);
            o.PongTimeout = TimeSpan.FromHours(1);
        },
        services => services.Configure<SwitchboardSecurityOptions>(o =>
        {
            o.Auth.Secret = Encoding.UTF8.GetString(Secret);
            o.Auth.ClockSkew = TimeSpan.Zero;
            o.Auth.TokenExpiringAhead = ExpiringAhead;
        }),
        timeProvider: time);

    /// <summary>Sets <paramref name="time"/> to <paramref name="offset"/> from the Unix time <paramref name="exp"/>.</summary>
    private static void MoveTo(FakeTimeProvider time, long exp, TimeSpan offset) =>
        time.Advance(DateTimeOffset.FromUnixTimeSeconds(exp) + offset - time.GetUtcNow());

    private static string Token(string sub, long? exp = null, JsonArray? channels = null)
    {
        var claims = Jwt.Claims(sub);
        claims.Remove("iss");
        claims.Remove("aud");
        if (exp is not null)
        {
            claims["exp"] = exp;
        }

        if (channels is not null)
        {
            claims["channels"] = channels;
        }

        return Jwt.Hs256(Secret, claims);
    }

    [Fact]
    public async Task Auth_message_gets_auth_ok_then_welcome_with_the_user()
    {
        await using var client = await _server.ConnectRawAsync();
        Assert.Equal("auth_required", (await client.ReceiveAnyAsync())["type"]!.GetValue<string>());
        await client.SendAsync(new { type = "auth", token = Token("alice") });
        Assert.Equal("auth_ok", (await client.ReceiveAnyAsync())["type"]!.GetValue<string>());
        var welcome = await client.ReceiveAnyAsync();
        Assert.Equal("welcome", welcome["type"]!.GetValue<string>());
        Assert.Equal("alice", welcome["user"]!.GetValue<string>());
        await client.SubscribeAsync("anything.at.all");
    }

    [Fact]
    public async Task Token_in_the_query_or_the_header_goes_straight_to_welcome()
    {
        await using var fromQuery = await TestClient.ConnectAsync(new Uri(_server.WebSocketUri + "?token=" + Token("bob")));
        Assert.Equal("bob", fromQuery.Welcome["user"]!.GetValue<string>());
        await using var fromHeader = await _server.ConnectWithTokenAsync(Token("carol"));
        Assert.Equal("carol", fromHeader.Welcome["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task Token_expiring_comes_ahead_of_exp_and_the_connection_closes_with_4001_without_refresh()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartWithClockAsync(time);
        var exp = Jwt.Now + TokenLifetime;
        await using var client = await server.ConnectWithTokenAsync(Token("alice", exp));

        MoveTo(time, exp, -ExpiringAhead + TimeSpan.FromSeconds(1));
        await client.ReceiveTypeAsync("token_expiring");
        Assert.True(client.IsOpen);

        MoveTo(time, exp, TimeSpan.FromSeconds(1));
        var (status, reason) = await client.WaitForCloseAsync();
        Assert.Equal(4001, (int?)status);
        Assert.Equal("token expired", reason);
    }

    [Fact]
    public async Task Refresh_with_a_valid_token_keeps_the_connection_past_the_old_exp()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartWithClockAsync(time);
        var oldExp = Jwt.Now + TokenLifetime;
        await using var client = await server.ConnectWithTokenAsync(Token("alice", oldExp));
        await using var witness = await server.ConnectWithTokenAsync(Token("bob", oldExp)); // Never refreshed.

        MoveTo(time, oldExp, -ExpiringAhead + TimeSpan.FromSeconds(1));
        await client.ReceiveTypeAsync("token_expiring");
        var newExp = Jwt.Now + 2 * TokenLifetime;
        var result = await client.OkAsync(new JsonObject { ["type"] = "refresh", ["token"] = Token("alice", newExp) });
        Assert.Equal(newExp, result!["expires"]!.GetValue<long>());

        // The old token's expiry passes. The check that closes the witness (same old expiry) has looked at this
        // connection too: it must stay open.
        MoveTo(time, oldExp, TimeSpan.FromSeconds(1));
        Assert.Equal(4001, (int?)(await witness.WaitForCloseAsync()).Status);
        await client.SendAsync(new { type = "ping", id = 5 });
        Assert.Equal("pong", (await client.ReceiveTypeAsync("pong"))["type"]!.GetValue<string>());
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task Refresh_with_a_token_of_the_same_expiry_is_not_warned_again()
    {
        // A client whose token provider caches answers token_expiring with the token it already has. That is no
        // reason to warn it again every tick until exp: it gets one warning per expiry time, then 4001.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartWithClockAsync(time);
        var exp = Jwt.Now + TokenLifetime;
        var token = Token("alice", exp);
        await using var client = await server.ConnectWithTokenAsync(token);
        await using var witness = await server.ConnectWithTokenAsync(Token("bob", exp - 5));

        MoveTo(time, exp, -ExpiringAhead + TimeSpan.FromSeconds(1));
        await client.ReceiveTypeAsync("token_expiring");
        await client.OkAsync(new JsonObject { ["type"] = "refresh", ["token"] = token });

        // Still inside alice's warning window: the witness's close shows that a check ran there after the refresh.
        MoveTo(time, exp - 5, TimeSpan.FromSeconds(1));
        Assert.Equal(4001, (int?)(await witness.WaitForCloseAsync()).Status);

        MoveTo(time, exp, TimeSpan.FromSeconds(1));
        var (status, _) = await client.WaitForCloseAsync();
        Assert.Equal(4001, (int?)status);
        var warnings = 0;
        while (client.TryReceive(out var message))
        {
            warnings += message!["type"]!.GetValue<string>() == "token_expiring" ? 1 : 0;
        }

        Assert.Equal(0, warnings);
    }

    [Fact]
    public async Task Refresh_with_an_invalid_or_foreign_token_fails_and_the_old_expiry_still_applies()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartWithClockAsync(time);
        var exp = Jwt.Now + TokenLifetime;
        await using var client = await server.ConnectWithTokenAsync(Token("alice", exp));
        await client.AssertFailsAsync(new JsonObject { ["type"] = "refresh", ["token"] = "garbage" }, "unauthorized");
        await client.AssertFailsAsync(new JsonObject { ["type"] = "refresh", ["token"] = Token("alice", Jwt.Now - 10) }, "unauthorized");
        await client.AssertFailsAsync(new JsonObject { ["type"] = "refresh", ["token"] = Token("mallory", Jwt.Now + 2 * TokenLifetime) }, "forbidden");
        await client.AssertFailsAsync(new JsonObject { ["type"] = "auth", ["token"] = Token("alice") }, "bad_request");

        MoveTo(time, exp, TimeSpan.FromSeconds(1));
        var (status, _) = await client.WaitForCloseAsync();
        Assert.Equal(4001, (int?)status);
    }

    [Fact]
    public async Task Channels_claim_narrows_what_the_token_may_subscribe_to()
    {
        await using var client = await _server.ConnectWithTokenAsync(Token("alice", channels: ["chat.room1", "user.alice.>"]));
        await client.SubscribeAsync("chat.room1");
        await client.SubscribeAsync("user.alice.inbox");
        await client.SubscribeAsync("user.alice.>");
        foreach (var channel in new[] { "chat.room2", "chat.>", "chat.*", "user.alice", "user.*.inbox", ">" })
        {
            await client.AssertFailsAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = channel }, "forbidden");
        }

        // The claim narrows subscribe only; the rules (here the default: everything for authenticated users) decide the rest.
        await client.PublishAsync("chat.room2", 1);
    }

    [Fact]
    public async Task Allow_anonymous_lets_clients_without_a_token_in_with_no_rights_but_what_rules_give()
    {
        await using var server = await StartAsync(o =>
        {
            o.Auth.Secret = Encoding.UTF8.GetString(Secret);
            o.Auth.AllowAnonymous = true;
            o.Channels.Add(new ChannelRule { Pattern = "public.>", Subscribe = "anyone", History = "anyone", Publish = "authenticated" });
        });
        await using var anonymous = await server.ConnectAsync();
        Assert.Null(anonymous.Welcome["user"]);
        await anonymous.SubscribeAsync("public.news");
        await anonymous.AssertFailsAsync(new JsonObject { ["type"] = "publish", ["channel"] = "public.news", ["data"] = 1 }, "unauthorized");
        await anonymous.AssertFailsAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "private.x" }, "unauthorized");

        await using var alice = await server.ConnectWithTokenAsync(Token("alice"));
        await alice.PublishAsync("public.news", "hello");
        Assert.Equal("hello", (await anonymous.ReceiveTypeAsync("message"))["data"]!.GetValue<string>());
    }

    [Fact]
    public async Task Es256_pem_and_jwks_servers_accept_their_tokens_and_refuse_other_algorithms()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using (var server = await StartAsync(o => o.Auth.PublicKeyPem = ec.ExportSubjectPublicKeyInfoPem()))
        {
            await using var ok = await server.ConnectWithTokenAsync(Jwt.Es256(ec, Jwt.Claims("alice")));
            Assert.Equal("alice", ok.Welcome["user"]!.GetValue<string>());
            await using var hs = await server.ConnectRawAsync(options: o => o.SetRequestHeader("Authorization", "Bearer " + Jwt.Hs256(Secret, Jwt.Claims("alice"))));
            await hs.AssertClosedWithoutWelcomeAsync(1008);
        }

        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        var ecParameters = ec.ExportParameters(false);
        var jwks = new JsonObject
        {
            ["keys"] = new JsonArray(
                new JsonObject { ["kty"] = "RSA", ["kid"] = "r1", ["n"] = B64(parameters.Modulus!), ["e"] = B64(parameters.Exponent!) },
                new JsonObject { ["kty"] = "EC", ["kid"] = "e1", ["crv"] = "P-256", ["x"] = B64(ecParameters.Q.X!), ["y"] = B64(ecParameters.Q.Y!) }),
        };
        var file = Path.Combine(Path.GetTempPath(), $"switchboard-jwks-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, jwks.ToJsonString());
        try
        {
            await using var server = await StartAsync(o => o.Auth.JwksFile = file);
            await using var viaRsa = await server.ConnectWithTokenAsync(Jwt.Rs256(rsa, Jwt.Claims("rsa-user"), kid: "r1"));
            Assert.Equal("rsa-user", viaRsa.Welcome["user"]!.GetValue<string>());
            await using var viaEc = await server.ConnectWithTokenAsync(Jwt.Es256(ec, Jwt.Claims("ec-user"), kid: "e1"));
            Assert.Equal("ec-user", viaEc.Welcome["user"]!.GetValue<string>());
            using var stranger = RSA.Create(2048);
            await using var forged = await server.ConnectRawAsync(options: o => o.SetRequestHeader("Authorization", "Bearer " + Jwt.Rs256(stranger, Jwt.Claims("x"), kid: "r1")));
            Assert.Equal("invalid signature", await forged.AssertClosedWithoutWelcomeAsync(1008));
        }
        finally
        {
            File.Delete(file);
        }

        static string B64(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    [Fact]
    public async Task Info_claim_is_shown_in_presence()
    {
        var claims = Jwt.Claims("alice");
        claims.Remove("iss");
        claims.Remove("aud");
        claims["info"] = new JsonObject { ["name"] = "Alice", ["color"] = "teal" };
        await using var alice = await _server.ConnectWithTokenAsync(Jwt.Hs256(Secret, claims));
        await alice.SubscribeAsync("room.1");
        var clients = (await alice.OkAsync(new JsonObject { ["type"] = "presence", ["channel"] = "room.1" }))!["clients"]!.AsArray();
        var entry = Assert.Single(clients)!;
        Assert.Equal("alice", entry["user"]!.GetValue<string>());
        Assert.Equal("Alice", entry["info"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Open_development_mode_applies_only_explicit_limits()
    {
        await using var server = await StartAsync(o =>
        {
            o.Limits.CommandsPerSecond = 1;
            o.Limits.CommandBurst = 3;
        });
        await using var client = await server.ConnectAsync();
        Assert.Null(client.Welcome["user"]);

        // Sent back to back without waiting for replies, so that the bucket (1 per second) has no time to refill.
        for (var i = 1; i <= 6; i++)
        {
            await client.SendRawAsync($"{{\"type\":\"publish\",\"channel\":\"open.x\",\"data\":{i},\"id\":{i}}}");
        }

        var replies = new List<JsonObject>();
        for (var i = 0; i < 6; i++)
        {
            replies.Add(await client.ReceiveTypeAsync("result"));
        }

        Assert.Equal(3, replies.Count(r => r["success"]!.GetValue<bool>()));
        Assert.All(replies.Skip(3), r => Assert.Equal("rate_limited", r["error"]!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Open_development_mode_ignores_tokens_and_refuses_refresh()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(new Uri(server.WebSocketUri + "?token=garbage"));
        Assert.Null(client.Welcome["user"]);
        await client.AssertFailsAsync(new JsonObject { ["type"] = "refresh", ["token"] = "x" }, "bad_request");
        await client.PublishAsync("any.channel", 1);
    }
}
