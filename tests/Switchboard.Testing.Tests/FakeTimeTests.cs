using Microsoft.Extensions.Time.Testing;

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
}
