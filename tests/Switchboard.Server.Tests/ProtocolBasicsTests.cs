using System.Text.Json.Nodes;

namespace Switchboard.Server.Tests;

public sealed class ProtocolBasicsTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Welcome_names_client_node_ping_and_version()
    {
        await using var client = await _server.ConnectAsync();
        Assert.False(string.IsNullOrEmpty(client.Welcome["client"]!.GetValue<string>()));
        Assert.Null(client.Welcome["user"]);
        Assert.Equal(25, client.Welcome["ping"]!.GetValue<int>());
        Assert.Equal(1, client.Welcome["version"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(client.Welcome["node"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Publish_reaches_every_subscriber_and_unsubscribe_stops_it()
    {
        await using var a = await _server.ConnectAsync();
        await using var b = await _server.ConnectAsync();
        await using var publisher = await _server.ConnectAsync();
        await a.SubscribeAsync("chat.general");
        await b.SubscribeAsync("chat.general");

        var result = await publisher.PublishAsync("chat.general", new JsonObject { ["text"] = "hi" });
        Assert.Equal(1, result!["offset"]!.GetValue<long>());

        foreach (var client in new[] { a, b })
        {
            var message = await client.ReceiveTypeAsync("message");
            Assert.Equal("chat.general", message["channel"]!.GetValue<string>());
            Assert.Equal("hi", message["data"]!["text"]!.GetValue<string>());
            Assert.Equal(1, message["offset"]!.GetValue<long>());
            Assert.Equal(publisher.Welcome["client"]!.GetValue<string>(), message["from"]!["client"]!.GetValue<string>());
        }

        await a.OkAsync(new JsonObject { ["type"] = "unsubscribe", ["channel"] = "chat.general" });
        await publisher.PublishAsync("chat.general", "second");
        Assert.Equal("second", (await b.ReceiveTypeAsync("message"))["data"]!.GetValue<string>());

        // a must not get "second": a ping round trip proves everything sent before it has arrived.
        await a.SendAsync(new { type = "ping", id = 99 });
        var next = await a.ReceiveAnyAsync();
        Assert.Equal("pong", next["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Subscribe_result_has_last_offset_and_epoch()
    {
        await using var client = await _server.ConnectAsync();
        await client.PublishAsync("news.today", 1);
        await client.PublishAsync("news.today", 2);
        var result = await client.SubscribeAsync("news.today");
        Assert.Equal("news.today", result!["channel"]!.GetValue<string>());
        Assert.Equal(2, result["offset"]!.GetValue<long>());
        Assert.False(string.IsNullOrEmpty(result["epoch"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("order.*", "order.created", true)]
    [InlineData("order.*", "order.created.eu", false)]
    [InlineData("sensors.>", "sensors.basement.wall", true)]
    [InlineData("sensors.>", "sensors", false)]
    [InlineData("*.created", "order.created", true)]
    public async Task Wildcard_subscriptions_receive_matching_channels(string pattern, string channel, bool expected)
    {
        await using var subscriber = await _server.ConnectAsync();
        await using var publisher = await _server.ConnectAsync();
        var result = await subscriber.SubscribeAsync(pattern);
        Assert.Null(result!["offset"]);

        await publisher.PublishAsync(channel, "payload");
        await subscriber.SendAsync(new { type = "ping", id = 1 });
        var first = await subscriber.ReceiveAnyAsync();
        if (expected)
        {
            Assert.Equal("message", first["type"]!.GetValue<string>());
            Assert.Equal(channel, first["channel"]!.GetValue<string>());
        }
        else
        {
            Assert.Equal("pong", first["type"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Rpc_calls_a_registered_handler_and_unknown_method_is_not_found()
    {
        await using var client = await _server.ConnectAsync();
        var result = await client.OkAsync(new JsonObject { ["type"] = "rpc", ["method"] = "echo", ["params"] = new JsonObject { ["x"] = 42 } });
        Assert.Equal(42, result!["x"]!.GetValue<int>());

        var unknown = await client.CommandAsync(new JsonObject { ["type"] = "rpc", ["method"] = "nope" });
        Assert.False(unknown["success"]!.GetValue<bool>());
        Assert.Equal("not_found", unknown["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ids_may_be_numbers_or_strings_and_are_echoed()
    {
        await using var client = await _server.ConnectAsync();
        await client.SendRawAsync("""{"type":"subscribe","channel":"a.b","id":"sub-1"}""");
        var byString = await client.ReceiveTypeAsync("result");
        Assert.Equal("sub-1", byString["id"]!.GetValue<string>());

        await client.SendRawAsync("""{"type":"publish","channel":"a.b","data":1,"id":9007199254740}""");
        var byNumber = await client.ReceiveTypeAsync("result");
        Assert.Equal(9007199254740, byNumber["id"]!.GetValue<long>());

        await client.SendRawAsync("""{"type":"ping","id":"p"}""");
        var pong = await client.ReceiveTypeAsync("pong");
        Assert.Equal("p", pong["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Command_without_id_gets_no_reply_on_success()
    {
        await using var client = await _server.ConnectAsync();
        await client.SendAsync(new { type = "subscribe", channel = "quiet" });
        await client.SendAsync(new { type = "ping", id = 5 });
        var next = await client.ReceiveAnyAsync();
        Assert.Equal("pong", next["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Batch_mode_packs_several_messages_in_one_frame()
    {
        await using var subscriber = await _server.ConnectAsync("?batch=1");
        await using var publisher = await _server.ConnectAsync();
        await subscriber.SubscribeAsync("burst");
        var framesBefore = subscriber.FramesReceived;

        // Without ids the publishes are pipelined, so messages pile up in the subscriber's queue faster than one send.
        for (var i = 1; i <= 2000; i++)
        {
            await publisher.SendAsync(new { type = "publish", channel = "burst", data = i });
        }

        var messages = await subscriber.ReceiveMessagesAsync(2000);
        Assert.Equal(Enumerable.Range(1, 2000), messages.Select(m => m["data"]!.GetValue<int>()));
        Assert.True(subscriber.FramesReceived - framesBefore < 2000, $"expected batching, got {subscriber.FramesReceived - framesBefore} frames for 2000 messages");
    }

    [Fact]
    public async Task Without_batch_every_message_is_its_own_frame()
    {
        await using var subscriber = await _server.ConnectAsync();
        await using var publisher = await _server.ConnectAsync();
        await subscriber.SubscribeAsync("single");
        var framesBefore = subscriber.FramesReceived;
        for (var i = 1; i <= 200; i++)
        {
            await publisher.SendAsync(new { type = "publish", channel = "single", data = i });
        }

        await subscriber.ReceiveMessagesAsync(200);
        Assert.Equal(200, subscriber.FramesReceived - framesBefore);
    }
}
