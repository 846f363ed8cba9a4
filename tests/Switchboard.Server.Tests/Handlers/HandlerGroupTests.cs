using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Handlers;

namespace Switchboard.Server.Tests.Handlers;

/// <summary>
/// Groups and broadcasts over real sockets: to a group with and without the sender, to a user, a role, everyone, from
/// outside a connection, and the leave on disconnect. "Did not receive" is shown with a marker: a later broadcast from
/// the same sender that must be the very next message.
/// </summary>
public sealed class HandlerGroupTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await HandlerServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Broadcasts_reach_exactly_their_audience()
    {
        await using var alice = await _server.ConnectChatAsync("/chat/a?token=" + HandlerServer.Token("alice", "admin"));
        await using var bob = await _server.ConnectChatAsync("/chat/b", o => o.SetRequestHeader("Authorization", "Bearer " + HandlerServer.Token("bob")));
        await using var guest = await _server.ConnectChatAsync("/chat/c");
        Assert.Equal("alice", alice.Welcome["user_id"]!.GetValue<string>());
        Assert.Equal("bob", bob.Welcome["user_id"]!.GetValue<string>());

        await JoinAsync(alice, "lobby");
        await JoinAsync(bob, "lobby");
        Assert.Equal(bob.Id, (await alice.ReceiveTypeAsync("user_joined"))["connection_id"]!.GetValue<string>());

        // A group, sender included (seed 004's chat_message); the guest is not a member.
        await alice.SendAsync(new { type = "chat_message", room = "lobby", message = "hello" });
        await Marker(alice, "m1");
        foreach (var member in new[] { alice, bob })
        {
            var chat = await member.NextAsync();
            Assert.Equal("chat_message", chat["type"]!.GetValue<string>());
            Assert.Equal(alice.Id, chat["connection_id"]!.GetValue<string>());
            Assert.Equal("lobby", chat["room"]!.GetValue<string>());
            Assert.Equal("hello", chat["message"]!.GetValue<string>());
        }

        await AssertNextIsMarker([alice, bob, guest], "m1");

        // A group without the sender.
        await alice.SendAsync(new { type = "shout", room = "lobby", message = "psst" });
        await Marker(alice, "m2");
        Assert.Equal("psst", (await bob.NextAsync())["message"]!.GetValue<string>());
        await AssertNextIsMarker([alice, bob, guest], "m2");

        // A user, and a role.
        await guest.SendAsync(new { type = "to_user", target = "bob", message = "for bob" });
        await guest.SendAsync(new { type = "to_role", target = "admin", message = "for admins" });
        await Marker(guest, "m3");
        Assert.Equal("for bob", (await bob.NextAsync())["message"]!.GetValue<string>());
        Assert.Equal("for admins", (await alice.NextAsync())["message"]!.GetValue<string>());
        await AssertNextIsMarker([alice, bob, guest], "m3");

        // Leaving a group stops its messages.
        await bob.SendAsync(new { type = "leave_room", room = "lobby" });
        Assert.Equal("lobby", (await bob.ReceiveTypeAsync("room_left"))["room"]!.GetValue<string>());
        Assert.Equal(bob.Id, (await alice.ReceiveTypeAsync("user_left"))["connection_id"]!.GetValue<string>());
        await alice.SendAsync(new { type = "chat_message", room = "lobby", message = "anyone?" });
        await Marker(alice, "m4");
        Assert.Equal("anyone?", (await alice.NextAsync())["message"]!.GetValue<string>());
        await AssertNextIsMarker([alice, bob, guest], "m4");
    }

    [Fact]
    public async Task A_member_that_disconnects_is_announced_to_its_group()
    {
        await using var stays = await _server.ConnectChatAsync();
        var leaves = await _server.ConnectChatAsync();
        await JoinAsync(stays, "room");
        await JoinAsync(leaves, "room");
        await leaves.Client.CloseAsync();
        await leaves.DisposeAsync();

        var left = await stays.ReceiveAsync(m => m["type"]!.GetValue<string>() == "user_left");
        Assert.Equal(leaves.Id, left["connection_id"]!.GetValue<string>());
        Assert.Equal("room", left["room"]!.GetValue<string>());

        // Its group membership is gone: a message to the room reaches only the one that stayed, and nothing fails.
        await stays.SendAsync(new { type = "chat_message", room = "room", message = "alone" });
        Assert.Equal("alone", (await stays.ReceiveTypeAsync("chat_message"))["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Code_outside_a_connection_sends_to_a_group_through_the_injected_clients()
    {
        await using var member = await _server.ConnectChatAsync();
        await JoinAsync(member, "news");
        var clients = _server.Services.GetRequiredService<HandlerClients<ChatTestHandler>>();
        Assert.Same(_server.Chat().Clients, clients);

        await clients.Group("news").SendAsync("{\"type\":\"headline\",\"text\":\"raw bytes\"}"u8.ToArray());
        await clients.Group("news").SendAsync(new Notice("notice", "typed"), ChatJson.Default.Notice);
        Assert.Equal("raw bytes", (await member.ReceiveTypeAsync("headline"))["text"]!.GetValue<string>());
        Assert.Equal("typed", (await member.ReceiveTypeAsync("notice"))["message"]!.GetValue<string>());
        await Assert.ThrowsAsync<ArgumentException>(async () => await clients.All.SendAsync("{not json"u8.ToArray()));
    }

    [Fact]
    public async Task Built_in_clients_cannot_reach_the_handlers_channels()
    {
        var token = HandlerServer.Token("carol");
        await using var builtIn = await TestClient.ConnectAsync(_server.WebSocketUri, o => o.SetRequestHeader("Authorization", "Bearer " + token));
        var refused = await builtIn.CommandAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "sb:handler.ChatTestHandler.g.lobby" });
        Assert.Equal("forbidden", refused["error"]!["code"]!.GetValue<string>());

        await builtIn.SubscribeAsync(">");
        await using var member = await _server.ConnectChatAsync();
        await JoinAsync(member, "lobby");
        await member.SendAsync(new { type = "chat_message", room = "lobby", message = "private" });
        await member.ReceiveTypeAsync("chat_message");
        await builtIn.PublishAsync("news", JsonValue.Create("public"));
        var first = await builtIn.ReceiveTypeAsync("message");
        Assert.Equal("news", first["channel"]!.GetValue<string>());
    }

    private static async Task JoinAsync(HandlerClient client, string room)
    {
        await client.SendAsync(new { type = "join_room", room });
        await client.ReceiveTypeAsync("room_joined");
        await client.Client.ReceiveAsync(m => m["type"]!.GetValue<string>() == "user_joined" && m["connection_id"]!.GetValue<string>() == client.Id);
    }

    private static Task Marker(HandlerClient sender, string marker) => sender.SendAsync(new { type = "to_all", target = "", message = marker });

    private static async Task AssertNextIsMarker(HandlerClient[] clients, string marker)
    {
        foreach (var client in clients)
        {
            var next = await client.NextAsync();
            Assert.Equal(marker, next["message"]?.GetValue<string>());
        }
    }
}
