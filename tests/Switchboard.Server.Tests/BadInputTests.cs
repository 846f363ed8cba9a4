using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchboard.Server.Tests;

/// <summary>
/// Every kind of bad input gets the documented answer, and afterwards the same connection still works and a bystander
/// on the same server still receives every message.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(o => o.MaxMessageSize = 4096);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, string?> ErrorCases => new()
    {
        // raw message, expected code, expected id (null: an "error" message rather than a "result")
        { "{not json", "bad_request", null },
        { "[]", "bad_request", null },
        { "", "bad_request", null },
        { """{"id":11}""", "bad_request", "11" },
        { """{"channel":"a"}""", "bad_request", null },
        { """{"type":"teleport","id":12}""", "unknown_type", "12" },
        { """{"type":"teleport"}""", "unknown_type", null },
        { """{"type":"subscribe","channel":42,"id":13}""", "bad_request", "13" },
        { """{"type":"publish","channel":"a","data":1,"key":7,"id":14}""", "bad_request", "14" },
        { """{"type":"history","channel":"a","limit":"all","id":15}""", "bad_request", "15" },
        { """{"type":"subscribe","channel":"a","since":"yesterday","id":16}""", "bad_request", "16" },
        { """{"type":"subscribe","channel":"","id":17}""", "bad_request", "17" },
        { $$"""{"type":"subscribe","channel":"{{new string('c', 256)}}","id":18}""", "bad_request", "18" },
        { """{"type":"subscribe","channel":"chat general","id":19}""", "bad_request", "19" },
        { """{"type":"subscribe","channel":"chat..general","id":20}""", "bad_request", "20" },
        { """{"type":"publish","channel":"chat.*","data":1,"id":21}""", "bad_request", "21" },
        { """{"type":"publish","channel":"chat.>","data":1}""", "bad_request", null },
        { """{"type":"presence","channel":"a.*","id":22}""", "bad_request", "22" },
        { """{"type":"unsubscribe","channel":"never.subscribed","id":23}""", "not_subscribed", "23" },
        { """{"type":"unsubscribe","channel":"never.subscribed"}""", "not_subscribed", null },
        { """{"type":"ping","id":-1}""", "bad_request", null },
        { """{"type":"auth","token":"x","id":24}""", "bad_request", "24" },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task Bad_command_gets_the_documented_error_and_nothing_else_breaks(string raw, string code, string? id)
    {
        await using var bystander = await _server.ConnectAsync();
        await bystander.SubscribeAsync("bystander");
        await using var client = await _server.ConnectAsync();

        await client.SendRawAsync(raw);
        var reply = await client.ReceiveAnyAsync();
        if (id is null)
        {
            Assert.Equal("error", reply["type"]!.GetValue<string>());
            Assert.Equal(code, reply["code"]!.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(reply["message"]!.GetValue<string>()));
        }
        else
        {
            Assert.Equal("result", reply["type"]!.GetValue<string>());
            Assert.Equal(id, reply["id"]!.ToString());
            Assert.False(reply["success"]!.GetValue<bool>());
            Assert.Equal(code, reply["error"]!["code"]!.GetValue<string>());
        }

        await AssertStillWorksAsync(client, bystander);
    }

    [Fact]
    public async Task Error_for_a_command_without_id_names_the_command_in_ref()
    {
        await using var client = await _server.ConnectAsync();
        await client.SendRawAsync("""{"type":"unsubscribe","channel":"x"}""");
        var error = await client.ReceiveTypeAsync("error");
        Assert.Equal("unsubscribe", error["ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task Subscribing_twice_is_a_bad_request_and_the_first_subscription_keeps_working()
    {
        await using var client = await _server.ConnectAsync();
        await client.SubscribeAsync("twice");
        var second = await client.CommandAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "twice" });
        Assert.False(second["success"]!.GetValue<bool>());
        Assert.Equal("bad_request", second["error"]!["code"]!.GetValue<string>());

        await client.PublishAsync("twice", "once");
        var message = await client.ReceiveTypeAsync("message");
        Assert.Equal("once", message["data"]!.GetValue<string>());
        await client.SendAsync(new { type = "ping", id = 1 });
        Assert.Equal("pong", (await client.ReceiveAnyAsync())["type"]!.GetValue<string>()); // delivered once, not twice
    }

    [Fact]
    public async Task Frame_over_the_size_limit_closes_with_1009_and_others_are_unaffected()
    {
        await using var bystander = await _server.ConnectAsync();
        await bystander.SubscribeAsync("bystander");
        await using var client = await _server.ConnectAsync();

        await client.SendRawAsync($$"""{"type":"publish","channel":"a","data":"{{new string('x', 5000)}}"}""");
        var (status, _) = await client.WaitForCloseAsync();
        Assert.Equal((WebSocketCloseStatus)1009, status);

        await AssertBystanderGetsMessagesAsync(bystander);
    }

    [Fact]
    public async Task Message_just_under_the_limit_is_accepted()
    {
        await using var client = await _server.ConnectAsync();
        var prefix = """{"type":"publish","channel":"a","id":1,"data":""";
        var padding = 4096 - Encoding.UTF8.GetByteCount(prefix) - 3;
        await client.SendRawAsync($"{prefix}\"{new string('x', padding)}\"}}");
        var result = await client.ReceiveTypeAsync("result");
        Assert.True(result["success"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Binary_frame_closes_with_1003_and_others_are_unaffected()
    {
        await using var bystander = await _server.ConnectAsync();
        await bystander.SubscribeAsync("bystander");
        await using var client = await _server.ConnectAsync();

        await client.SendBytesAsync([1, 2, 3], WebSocketMessageType.Binary);
        var (status, _) = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, status);

        await AssertBystanderGetsMessagesAsync(bystander);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_text_frame_closes_with_1007_and_others_are_unaffected()
    {
        // The WebSocket layer (RFC 6455 section 8.1) must fail a text frame that is not UTF-8 with 1007 before the
        // protocol sees it; the parser's own "message is not valid UTF-8" answer covers transports that don't.
        await using var bystander = await _server.ConnectAsync();
        await bystander.SubscribeAsync("bystander");
        await using var client = await _server.ConnectAsync();

        var bytes = Encoding.UTF8.GetBytes("""{"type":"publish","channel":"a","data":"xx"}""");
        bytes[^4] = 0xC3;
        bytes[^3] = 0x28;
        await client.SendBytesAsync(bytes, WebSocketMessageType.Text);
        var (status, _) = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, status);

        await AssertBystanderGetsMessagesAsync(bystander);
    }

    [Fact]
    public async Task Ten_thousand_subscriptions_on_one_connection_all_deliver()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSubscriptionsPerConnection = 10_000);
        await using var client = await server.ConnectAsync("?batch=1");
        for (var i = 0; i < 10_000; i++)
        {
            await client.SendAsync(new { type = "subscribe", channel = $"many.{i}", id = i + 1 });
        }

        for (var i = 0; i < 10_000; i++)
        {
            var result = await client.ReceiveTypeAsync("result");
            Assert.True(result["success"]!.GetValue<bool>(), result.ToJsonString());
        }

        await using var publisher = await server.ConnectAsync();
        await publisher.PublishAsync("many.0", 0);
        await publisher.PublishAsync("many.9999", 9999);
        var messages = await client.ReceiveMessagesAsync(2);
        Assert.Equal(["many.0", "many.9999"], messages.Select(m => m["channel"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Subscriptions_past_the_limit_get_limit_exceeded_and_the_connection_keeps_working()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSubscriptionsPerConnection = 100);
        await using var client = await server.ConnectAsync();
        for (var i = 0; i < 100; i++)
        {
            await client.SubscribeAsync($"lim.{i}");
        }

        var over = await client.CommandAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "lim.100" });
        Assert.Equal("limit_exceeded", over["error"]!["code"]!.GetValue<string>());

        await client.OkAsync(new JsonObject { ["type"] = "unsubscribe", ["channel"] = "lim.0" });
        await client.SubscribeAsync("lim.100");
        await client.PublishAsync("lim.100", "ok");
        Assert.Equal("ok", (await client.ReceiveTypeAsync("message"))["data"]!.GetValue<string>());
    }

    private async Task AssertStillWorksAsync(TestClient client, TestClient bystander)
    {
        Assert.True(client.IsOpen);
        await client.SubscribeAsync("after.bad.input");
        await client.PublishAsync("after.bad.input", "still here");
        Assert.Equal("still here", (await client.ReceiveTypeAsync("message"))["data"]!.GetValue<string>());
        await AssertBystanderGetsMessagesAsync(bystander);
    }

    private async Task AssertBystanderGetsMessagesAsync(TestClient bystander)
    {
        await using var publisher = await _server.ConnectAsync();
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync("bystander", i);
        }

        var messages = await bystander.ReceiveMessagesAsync(10);
        Assert.Equal(Enumerable.Range(0, 10), messages.Select(m => m["data"]!.GetValue<int>()));
    }
}
