using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Tests.Infrastructure;

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
    public async Task Joins_past_the_group_limit_get_the_limit_error_logged_once_and_the_connection_lives_on()
    {
        const int limit = 5;
        LogCapture logs = null!;
        await using var server = await HandlerServer.StartAsync(o => o.MaxSubscriptionsPerConnection = limit, services => logs = LogCapture.AddTo(services));

        // A user with a role holds three audiences (everyone, the user, the role); they do not take groups from the limit.
        await using var client = await server.ConnectChatAsync("/chat/lobby?token=" + HandlerServer.Token("joiner", "member"));
        for (var i = 0; i < limit; i++)
        {
            await client.SendAsync(new { type = "join_room", room = "room-" + i });
            Assert.Equal("room-" + i, (await client.ReceiveTypeAsync("room_joined"))["room"]!.GetValue<string>());
        }

        for (var i = limit; i < limit + 3; i++)
        {
            await client.SendAsync(new { type = "join_room", room = "room-" + i });
            var refused = await client.ReceiveTypeAsync("error");
            Assert.Equal($"Too many groups: at most {limit} per connection", refused["message"]!.GetValue<string>());
        }

        await client.SendAsync(new { type = "whoami" });
        Assert.Equal(client.Id, (await client.ReceiveTypeAsync("you"))["connection_id"]!.GetValue<string>());
        await client.SendAsync(new { type = "chat_message", room = "room-0", message = "still here" });
        Assert.Equal("still here", (await client.ReceiveTypeAsync("chat_message"))["message"]!.GetValue<string>());

        var limitLines = logs.Entries.Where(e => e.EventId == 610).ToList();
        Assert.Single(limitLines);
        Assert.Equal(LogLevel.Information, limitLines[0].Level);
        Assert.Empty(logs.Alarming);
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
