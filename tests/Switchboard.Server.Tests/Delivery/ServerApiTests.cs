using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Internal;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Delivery;

/// <summary><see cref="ISwitchboard"/>, the server API for application code.</summary>
public sealed class ServerApiTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private ISwitchboard Switchboard => _server.Services.GetRequiredService<ISwitchboard>();

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>
    /// Gives a connected anonymous client a user, as token authentication does before a connection is registered
    /// (the secured server's own tests cover real tokens): registered again under its new identity.
    /// </summary>
    private void SignIn(TestClient client, string user)
    {
        var node = _server.Services.GetRequiredService<SwitchboardNode>();
        Assert.True(node.Connections.TryGet(client.Welcome["client"]!.GetValue<string>(), out var connection));
        node.Connections.Remove(connection);
        connection.Identity = new ConnectionIdentity { UserId = user };
        node.Connections.Add(connection);
    }

    [Fact]
    public async Task Publish_from_the_server_reaches_subscribers_with_offsets()
    {
        await using var subscriber = await _server.ConnectAsync();
        await subscriber.SubscribeAsync("server.news");
        var first = await Switchboard.PublishAsync("server.news", "{\"n\":1}"u8.ToArray());
        var repeat = await Switchboard.PublishAsync("server.news", "{\"n\":2}"u8.ToArray(), idempotencyKey: "k1");
        var duplicate = await Switchboard.PublishAsync("server.news", "{\"n\":3}"u8.ToArray(), idempotencyKey: "k1");
        Assert.Equal(1, first.Position.Offset);
        Assert.Equal(repeat.Position, duplicate.Position);
        Assert.True(duplicate.Duplicate);

        var messages = await subscriber.ReceiveMessagesAsync(2);
        Assert.Equal([1, 2], messages.Select(m => m["data"]!["n"]!.GetValue<int>()));
        Assert.Equal(2, (await Switchboard.GetHistoryAsync("server.news")).Publications.Count);
        await Assert.ThrowsAsync<ArgumentException>(async () => await Switchboard.PublishAsync("server.*", "1"u8.ToArray()));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Switchboard.PublishAsync("server.news", "{oops"u8.ToArray()));
    }

    [Fact]
    public async Task Send_to_a_user_reaches_all_of_their_connections_and_nobody_else()
    {
        await using var phone = await _server.ConnectAsync();
        await using var laptop = await _server.ConnectAsync();
        await using var other = await _server.ConnectAsync();
        SignIn(phone, "alice");
        SignIn(laptop, "alice");
        SignIn(other, "bob");

        Assert.Equal(2, Switchboard.SendToUser("alice", "user.alice", "{\"hi\":true}"u8.ToArray()));
        foreach (var client in new[] { phone, laptop })
        {
            var message = await client.ReceiveTypeAsync("message");
            Assert.Equal("user.alice", message["channel"]!.GetValue<string>());
            Assert.True(message["data"]!["hi"]!.GetValue<bool>());
            Assert.Null(message["offset"]);
        }

        await other.SendAsync(new { type = "ping", id = 1 });
        Assert.Equal("pong", (await other.ReceiveAnyAsync())["type"]!.GetValue<string>());

        Assert.True(Switchboard.SendToConnection(other.Welcome["client"]!.GetValue<string>(), "direct", "7"u8.ToArray()));
        Assert.Equal(7, (await other.ReceiveTypeAsync("message"))["data"]!.GetValue<int>());
        Assert.False(Switchboard.SendToConnection("no-such-client", "direct", "7"u8.ToArray()));
        Assert.Equal(0, Switchboard.SendToUser("nobody", "direct", "7"u8.ToArray()));
    }

    [Fact]
    public async Task Disconnect_user_closes_all_their_connections_with_4005_and_they_leave_the_index()
    {
        await using var phone = await _server.ConnectAsync();
        await using var laptop = await _server.ConnectAsync();
        await using var other = await _server.ConnectAsync();
        SignIn(phone, "carol");
        SignIn(laptop, "carol");
        var node = _server.Services.GetRequiredService<SwitchboardNode>();
        var connections = node.Connections.GetByUser("carol");
        Assert.Equal(2, connections.Length);

        Assert.Equal(2, Switchboard.DisconnectUser("carol", "account suspended"));
        foreach (var client in new[] { phone, laptop })
        {
            var (status, reason) = await client.WaitForCloseAsync();
            Assert.Equal(4005, (int?)status);
            Assert.Equal("account suspended", reason);
        }

        // Completed is set once the connection has left every registry.
        await Task.WhenAll(connections.Select(c => c.Completed.Task)).WaitAsync(TestClient.DefaultTimeout);
        Assert.Empty(node.Connections.GetByUser("carol"));
        Assert.True(other.IsOpen);
    }

    [Fact]
    public async Task Presence_channels_and_stats()
    {
        await using var a = await _server.ConnectAsync();
        await a.SubscribeAsync("stats.one");
        await a.SubscribeAsync("stats.*");
        var presence = await Switchboard.GetPresenceAsync("stats.one");
        Assert.Equal(a.Welcome["client"]!.GetValue<string>(), Assert.Single(presence).Client);
        Assert.Contains(new ChannelStats("stats.one", 1), Switchboard.GetChannels());
        Assert.Contains(new ChannelStats("stats.*", 1), Switchboard.GetChannels());
        var stats = Switchboard.GetNodeStats();
        Assert.Equal(1, stats.Connections);
        Assert.Equal(2, stats.Subscriptions);
    }
}
