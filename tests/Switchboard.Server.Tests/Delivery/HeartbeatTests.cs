using Switchboard.Protocol;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>Server pings when idle; silence past the pong timeout closes with 4002.</summary>
public sealed class HeartbeatTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    // The pong timeout is generous because the test machine is shared and a pong may wait for a thread for a while;
    // the ping interval is what the tests count.
    private static Task<TestServer> StartAsync() => TestServer.StartAsync(o =>
    {
        o.PingInterval = Interval;
        o.PongTimeout = TimeSpan.FromSeconds(1);
        o.CloseTimeout = TimeSpan.FromMilliseconds(500);
    });

    [Fact]
    public async Task A_client_that_never_answers_pings_is_closed_with_4002()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync();
        Assert.Equal(1, client.Welcome["ping"]!.GetValue<int>()); // Whole seconds, rounded up.

        await client.ReceiveTypeAsync("ping", TimeSpan.FromSeconds(5));
        var (status, _) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(CloseCodes.HeartbeatTimeout, (int?)status);
    }

    [Fact]
    public async Task A_client_that_answers_stays_connected_for_10_intervals()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync();
        client.AnswerPings = true;

        // Ten pings, each sent after a silent interval and each answered: the connection lives through all of them.
        for (var i = 0; i < 10; i++)
        {
            await client.ReceiveTypeAsync("ping", TimeSpan.FromSeconds(5));
        }

        Assert.True(client.IsOpen);
        await client.SendAsync(new { type = "ping", id = 1 });
        await client.ReceiveTypeAsync("pong");
    }

    [Fact]
    public async Task A_client_ping_gets_a_pong_with_its_id()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync();
        await client.SendAsync(new { type = "ping", id = "hb-1" });
        var pong = await client.ReceiveTypeAsync("pong");
        Assert.Equal("hb-1", pong["id"]!.GetValue<string>());
    }
}
