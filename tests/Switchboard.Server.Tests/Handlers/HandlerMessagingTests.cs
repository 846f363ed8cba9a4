using System.Net.WebSockets;
using Switchboard.Server.Tests.Infrastructure;

namespace Switchboard.Server.Tests.Handlers;

/// <summary>A custom JSON protocol over real sockets: routing by type, typed messages, route values, bad messages.</summary>
public sealed class HandlerMessagingTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await HandlerServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_handler_greets_on_connect_with_the_route_value_and_routes_by_type()
    {
        await using var client = await _server.ConnectChatAsync("/chat/kitchen?q=search");
        Assert.Equal("kitchen", client.Welcome["room_id"]!.GetValue<string>());
        Assert.Equal("Welcome to the chat!", client.Welcome["message"]!.GetValue<string>());
        Assert.Null(client.Welcome["user_id"]);

        await client.SendAsync(new { type = "join_room", room = "general" });
        Assert.Equal("general", (await client.ReceiveTypeAsync("room_joined"))["room"]!.GetValue<string>());
        var joined = await client.ReceiveTypeAsync("user_joined");
        Assert.Equal(client.Id, joined["connection_id"]!.GetValue<string>());

        await client.SendAsync(new { type = "whoami" });
        var you = await client.ReceiveTypeAsync("you");
        Assert.Equal("kitchen", you["room_id"]!.GetValue<string>());
        Assert.Equal("search", you["query"]!.GetValue<string>());
        Assert.Equal(["general"], you["groups"]!.AsArray().Select(g => g!.GetValue<string>()));
    }

    [Theory]
    [InlineData("not json at all", "Invalid JSON")]
    [InlineData("[1,2,3]", "Invalid JSON")]
    [InlineData("{\"type\":\"join_room\"} trailing", "Invalid JSON")]
    [InlineData("{\"type\":\"dance\"}", "Unknown message type")]
    [InlineData("{\"room\":\"general\"}", "Unknown message type")]
    [InlineData("{\"type\":\"join_room\",\"room\":5}", "Invalid message at $.room")]
    [InlineData("{\"type\":\"\\ud800\"}", "Invalid JSON")]
    [InlineData("{\"type\":\"whoami\",\"note\":\"x\\udc00\"}", "Invalid JSON")]
    [InlineData("{\"type\":\"whoami\",\"\\ud800\":1}", "Invalid JSON")]
    [InlineData("{\"type\":\"join_room\",\"room\":\"a\\ud800b\"}", "Invalid JSON")]
    [InlineData("{\"type\":\"fail\"}", "Internal error")]
    [InlineData("{\"type\":\"deny\"}", "Insufficient permissions")]
    public async Task A_bad_message_gets_the_application_error_and_the_connection_lives_on(string message, string error)
    {
        await using var client = await _server.ConnectChatAsync();
        await client.Client.SendRawAsync(message);
        var reply = await client.ReceiveTypeAsync("error");
        Assert.Equal(error, reply["message"]!.GetValue<string>());
        Assert.DoesNotContain("secret", reply.ToJsonString(), StringComparison.Ordinal);

        await client.SendAsync(new { type = "whoami" });
        Assert.Equal(client.Id, (await client.ReceiveTypeAsync("you"))["connection_id"]!.GetValue<string>());
        Assert.True(client.Client.IsOpen);
    }

    [Fact]
    public async Task A_clients_mistakes_write_no_warning_or_error_to_the_log()
    {
        LogCapture logs = null!;
        await using var server = await HandlerServer.StartAsync(configureServices: services => logs = LogCapture.AddTo(services));
        await using var client = await server.ConnectChatAsync();
        string[] mistakes =
        [
            "not json at all", "[1,2,3]", "{\"type\":\"dance\"}", "{\"type\":\"join_room\",\"room\":5}", "{\"type\":\"\\ud800\"}",
            "{\"type\":\"join_room\",\"room\":\"a\\ud800\"}", "{\"type\":\"whoami\",\"\\udfff\":true}",
        ];
        foreach (var mistake in mistakes)
        {
            await client.Client.SendRawAsync(mistake);
            await client.ReceiveTypeAsync("error");
        }

        await client.SendAsync(new { type = "whoami" });
        await client.ReceiveTypeAsync("you");
        Assert.Empty(logs.Alarming);
    }

    [Fact]
    public async Task The_type_property_is_configurable()
    {
        await using var client = await _server.ConnectChatAsync("/action");
        await client.SendAsync(new { action = "whoami" });
        Assert.Equal(client.Id, (await client.ReceiveTypeAsync("you"))["connection_id"]!.GetValue<string>());

        // "type" means nothing on this endpoint, so the message has no type; the default error reply names its type
        // with the endpoint's property too.
        await client.SendAsync(new { type = "whoami" });
        var error = await client.ReceiveAsync(m => m["action"]?.GetValue<string>() == "error");
        Assert.Equal("Unknown message type", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_handler_closes_with_its_own_code_after_what_it_queued()
    {
        await using var client = await _server.ConnectChatAsync();
        await client.SendAsync(new { type = "close", code = 4400, reason = "bye now" });
        var (status, reason) = await client.Client.WaitForCloseAsync();
        Assert.Equal((WebSocketCloseStatus)4400, status);
        Assert.Equal("bye now", reason);
        Assert.Equal(client.Id, await _server.Chat().Disconnected.Reader.ReadAsync().AsTask().WaitAsync(TestClient.DefaultTimeout));
    }

    [Fact]
    public async Task A_handler_connection_is_not_a_built_in_one_and_the_reverse()
    {
        // The built-in protocol on /ws still answers its own commands, unchanged.
        await using var builtIn = await TestClient.ConnectAsync(_server.WebSocketUri, o => o.SetRequestHeader("Authorization", "Bearer " + HandlerServer.Token("ann")));
        Assert.Equal("ann", builtIn.Welcome["user"]?.GetValue<string>());
        await builtIn.SendRawAsync("{\"type\":\"ping\",\"id\":7}");
        Assert.Equal(7, (await builtIn.ReceiveTypeAsync("pong"))["id"]!.GetValue<int>());

        await using var handler = await _server.ConnectChatAsync();
        await handler.Client.SendRawAsync("{\"type\":\"subscribe\",\"channel\":\"news\",\"id\":1}");
        Assert.Equal("Unknown message type", (await handler.ReceiveTypeAsync("error"))["message"]!.GetValue<string>());
    }
}
