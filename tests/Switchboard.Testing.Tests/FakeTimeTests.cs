using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Server.Security;
using Switchboard.Server.Tests.Security;

namespace Switchboard.Testing.Tests;

/// <summary>
/// The server's heartbeats run on the <see cref="TimeProvider"/> it is given, so a test moves a
/// <see cref="FakeTimeProvider"/> forward instead of waiting the ping interval and pong timeout in real time.
/// </summary>
public sealed class FakeTimeTests
{
    [Fact]
    public async Task A_silent_client_gets_a_ping_then_close_4002_as_fake_time_passes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SwitchboardTestServer.StartAsync(
            o =>
            {
                o.PingInterval = TimeSpan.FromMinutes(1);
                o.PongTimeout = TimeSpan.FromMinutes(1);
            },
            timeProvider: time);
        await using var client = await server.ConnectAsync();

        time.Advance(TimeSpan.FromMinutes(1));
        await client.ReceiveTypeAsync("ping");
        Assert.True(client.IsOpen);

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var (status, reason) = await client.WaitForCloseAsync();
        Assert.Equal(4002, (int?)status);
        Assert.Equal("heartbeat timeout", reason);
    }

    [Fact]
    public async Task A_token_that_expires_in_an_hour_gets_token_expiring_then_close_4001_as_fake_time_passes()
    {
        const string Secret = "switchboard-testing-tests-secret-of-32-bytes-or-more";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow); // Real now: the token is validated at connect by the real clock.
        await using var server = await SwitchboardTestServer.StartAsync(
            o => o.PingInterval = TimeSpan.FromHours(2), // No heartbeat in the hour this test moves through.
            configureServices: services => services.Configure<SwitchboardSecurityOptions>(o =>
            {
                o.Auth.Secret = Secret;
                o.Auth.Issuer = Jwt.Issuer;
                o.Auth.Audience = Jwt.Audience;
                o.Auth.ClockSkew = TimeSpan.Zero;
                o.Auth.TokenExpiringAhead = TimeSpan.FromMinutes(1);
            }),
            timeProvider: time);
        var token = Jwt.Hs256(Encoding.UTF8.GetBytes(Secret), Jwt.Claims("alice")); // exp: an hour from now
        await using var client = await SwitchboardTestClient.ConnectAsync(new Uri(server.WebSocketUri + "?token=" + token));
        Assert.Equal("alice", client.Welcome["user"]!.GetValue<string>());

        time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(30));
        await client.ReceiveTypeAsync("token_expiring");
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(4001, (int?)(await client.WaitForCloseAsync()).Status);
    }
}
