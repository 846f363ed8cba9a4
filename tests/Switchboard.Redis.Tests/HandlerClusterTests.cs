using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Handlers;
using Switchboard.Server.Tests.Handlers;

namespace Switchboard.Redis.Tests;

/// <summary>A custom handler on two nodes sharing a real redis-server: its groups, users and everyone span the nodes.</summary>
public sealed class HandlerClusterTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_group_broadcast_reaches_its_members_on_every_node_and_skips_the_sender()
    {
        var prefix = RedisTestConnections.UniquePrefix();
        void UseRedis(IServiceCollection services) => services.AddSwitchboardRedis(o =>
        {
            o.Configuration = redis.Configuration;
            o.KeyPrefix = prefix;
        });

        await using var a = await HandlerServer.StartAsync(configureServices: UseRedis);
        await using var b = await HandlerServer.StartAsync(configureServices: UseRedis);
        await using var onA = await a.ConnectChatAsync("/chat/x?token=" + HandlerServer.Token("ann"));
        await using var onB = await b.ConnectChatAsync("/chat/y?token=" + HandlerServer.Token("ben", "ops"));
        await using var otherOnB = await b.ConnectChatAsync("/chat/z");

        foreach (var client in new[] { onA, onB })
        {
            await client.SendAsync(new { type = "join_room", room = "lobby" });
            await client.ReceiveTypeAsync("room_joined");
        }

        // The sender's node and the other node both deliver; a non-member on the other node gets nothing of it.
        await onA.SendAsync(new { type = "chat_message", room = "lobby", message = "across nodes" });
        var onBChat = await onB.ReceiveTypeAsync("chat_message");
        Assert.Equal(onA.Id, onBChat["connection_id"]!.GetValue<string>());
        Assert.Equal("across nodes", onBChat["message"]!.GetValue<string>());
        Assert.Equal("across nodes", (await onA.ReceiveTypeAsync("chat_message"))["message"]!.GetValue<string>());

        // Without the sender: the member on the other node only.
        await onB.SendAsync(new { type = "shout", room = "lobby", message = "from b" });
        Assert.Equal("from b", (await onA.ReceiveTypeAsync("chat_message"))["message"]!.GetValue<string>());

        // A user and a role on the other node; code outside any connection on node A.
        await onA.SendAsync(new { type = "to_user", target = "ben", message = "to ben" });
        Assert.Equal("to ben", (await onB.ReceiveTypeAsync("notice"))["message"]!.GetValue<string>());
        await onA.SendAsync(new { type = "to_role", target = "ops", message = "to ops" });
        Assert.Equal("to ops", (await onB.ReceiveTypeAsync("notice"))["message"]!.GetValue<string>());
        await a.Services.GetRequiredService<HandlerClients<ChatTestHandler>>().All.SendAsync(new Notice("notice", "to all"), ChatJson.Default.Notice);
        Assert.Equal("to all", (await otherOnB.ReceiveTypeAsync("notice"))["message"]!.GetValue<string>());

        // The shout's sender did not get its own shout: its next chat is the one it sends after (same channel, so in
        // order); the non-member got none of the group's messages.
        await onB.SendAsync(new { type = "chat_message", room = "lobby", message = "last" });
        Assert.Equal("last", (await onB.ReceiveTypeAsync("chat_message"))["message"]!.GetValue<string>());
        while (otherOnB.Client.TryReceive(out var stray))
        {
            Assert.NotEqual("chat_message", stray!["type"]!.GetValue<string>());
        }
    }
}
