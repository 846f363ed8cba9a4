using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace Switchboard.Server.Tests.Handlers;

/// <summary>The connection core's limits and heartbeats as a handler gets them: its rate limit in its own error format, WebSocket or JSON pings.</summary>
public sealed class HandlerLimitTests : IAsyncLifetime
{
    private TestServer _server = null!;

    // A pong timeout long enough for a reading client's receive loop to be scheduled on a loaded machine (at 700 ms,
    // a load of 50 on 2 cores dropped readers too); a dead client is still found within seconds.
    public async Task InitializeAsync() => _server = await HandlerServer.StartAsync(o =>
    {
        o.PingInterval = TimeSpan.FromMilliseconds(500);
        o.PongTimeout = TimeSpan.FromSeconds(5);
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Messages_over_the_rate_limit_get_the_applications_error_and_are_not_handled()
    {
        await using var client = await _server.ConnectChatAsync("/limited");
        for (var i = 0; i < HandlerServer.RateLimit + 2; i++)
        {
            await client.SendAsync(new { type = "whoami" });
        }

        var replies = new List<JsonObject>();
        for (var i = 0; i < HandlerServer.RateLimit + 2; i++)
        {
            replies.Add(await client.NextAsync());
        }

        Assert.Equal(HandlerServer.RateLimit, replies.Count(r => r["type"]!.GetValue<string>() == "you"));
        var refused = replies.Where(r => r["type"]!.GetValue<string>() == "error").ToList();
        Assert.Equal(2, refused.Count);
        Assert.All(refused, r => Assert.Equal("Rate limit exceeded", r["message"]!.GetValue<string>()));
        Assert.True(client.Client.IsOpen);
    }

    [Fact]
    public async Task WebSocket_pings_keep_a_silent_client_that_reads_and_drop_one_that_does_not()
    {
        // Silent, but its WebSocket library answers ping frames while it reads: no JSON is ever needed.
        await using var reader = await _server.ConnectChatAsync();

        // Silent and never reading: its pongs never come.
        using var frozen = new ClientWebSocket();
        frozen.Options.KeepAliveInterval = TimeSpan.Zero;
        await frozen.ConnectAsync(_server.Endpoint("/chat/lobby"), CancellationToken.None);

        var chat = _server.Chat();
        var gone = await chat.Disconnected.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(reader.Id, gone);

        // The reader has been silent at least as long, and is still served; it never got a JSON ping.
        await reader.SendAsync(new { type = "whoami" });
        Assert.Equal(reader.Id, (await reader.NextAsync())["connection_id"]!.GetValue<string>());
        Assert.True(reader.Client.IsOpen);
    }

    [Fact]
    public async Task With_JSON_pings_a_silent_client_gets_the_ping_message_and_is_closed_with_4002()
    {
        await using var client = await _server.ConnectChatAsync("/json-ping");
        Assert.Equal("ping", (await client.NextAsync())["type"]!.GetValue<string>());
        var (status, _) = await client.Client.WaitForCloseAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((WebSocketCloseStatus)4002, status);
    }
}
