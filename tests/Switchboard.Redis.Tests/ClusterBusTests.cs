using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Cluster;
using Switchboard.Server;
using Switchboard.Server.Security;
using Switchboard.Server.Tests.Security;

namespace Switchboard.Redis.Tests;

/// <summary>
/// The control bus between nodes on one Redis: server sends and disconnects reach a user's connections on every node,
/// join and leave of a client on one node reach watchers on another, and stats cover every node.
/// </summary>
public sealed class ClusterBusTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Secret = "cluster-bus-tests-secret-of-32-bytes-at-least";

    private static string Token(string user) => Jwt.Hs256(Encoding.UTF8.GetBytes(Secret), Jwt.Claims(user));

    private Task<ClusterNodes> StartSecuredAsync(int count = 2) =>
        ClusterNodes.StartAsync(redis, count, configureServices: services =>
            services.Configure<SwitchboardSecurityOptions>(o => o.Auth.Secret = Secret));

    private static ISwitchboard Api(TestServer node) => node.Services.GetRequiredService<ISwitchboard>();

    /// <summary>Each node has heard every other one on the bus (a heartbeat is answered at once, so this is quick).</summary>
    internal static async Task WaitForMembershipAsync(params TestServer[] nodes)
    {
        foreach (var node in nodes)
        {
            await WaitForOtherNodesAsync(node, nodes.Length - 1);
        }
    }

    /// <summary>Waits until <paramref name="node"/> has heard <paramref name="count"/> other nodes on the bus.</summary>
    internal static async Task WaitForOtherNodesAsync(TestServer node, int count)
    {
        var bus = node.Services.GetRequiredService<IClusterBus>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (bus.OtherNodes.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the node heard {bus.OtherNodes.Count} other nodes on the control bus, not {count}, within 30 s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Send_to_user_on_one_node_reaches_the_users_connections_on_every_node_and_nobody_else()
    {
        await using var nodes = await StartSecuredAsync();
        await WaitForMembershipAsync(nodes.Nodes);
        await using var phoneOnA = await nodes.A.ConnectWithTokenAsync(Token("alice"));
        await using var laptopOnB = await nodes.B.ConnectWithTokenAsync(Token("alice"));
        await using var bobOnB = await nodes.B.ConnectWithTokenAsync(Token("bob"));

        Assert.Equal(1, Api(nodes.A).SendToUser("alice", "user.alice", "{\"unread\":3}"u8.ToArray()));
        foreach (var client in new[] { phoneOnA, laptopOnB })
        {
            var message = await client.ReceiveTypeAsync("message");
            Assert.Equal("user.alice", message["channel"]!.GetValue<string>());
            Assert.Equal(3, message["data"]!["unread"]!.GetValue<int>());
        }

        // Bob got nothing: the ping's pong is the next thing he receives.
        await bobOnB.SendAsync(new { type = "ping", id = 1 });
        Assert.Equal("pong", (await bobOnB.ReceiveAnyAsync())["type"]!.GetValue<string>());

        // A connection on the other node, by id.
        Assert.False(Api(nodes.A).SendToConnection(bobOnB.Welcome["client"]!.GetValue<string>(), "direct", "7"u8.ToArray()));
        Assert.Equal(7, (await bobOnB.ReceiveTypeAsync("message"))["data"]!.GetValue<int>());
    }

    [Fact]
    public async Task Garbage_on_the_control_channel_is_dropped_and_the_bus_keeps_working()
    {
        await using var nodes = await StartSecuredAsync();
        await WaitForMembershipAsync(nodes.Nodes);
        await using var onB = await nodes.B.ConnectWithTokenAsync(Token("erin"));
        await using var probe = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var control = StackExchange.Redis.RedisChannel.Literal(nodes.Prefix + "control");
        byte[][] garbage =
        [
            [],
            "x"u8.ToArray(),
            "mintruder"u8.ToArray(),
            "mintruder\n\n\u0000\u0000\u0010\u0000{"u8.ToArray(),
            "mintruder\n\n\u0000\u0000\u0000\u0005{oops"u8.ToArray(),
            "mintruder\n\n\u0000\u0000\u0000\u0002{}"u8.ToArray(),
            "mintruder\n\n\u0000\u0000\u0000\u0010{\"t\":\"su\",\"k\":7}"u8.ToArray(),
        ];
        foreach (var frame in garbage)
        {
            await probe.GetSubscriber().PublishAsync(control, frame);
        }

        Api(nodes.A).SendToUser("erin", "user.erin", "1"u8.ToArray());
        Assert.Equal(1, (await onB.ReceiveTypeAsync("message", TimeSpan.FromSeconds(30)))["data"]!.GetValue<int>());
    }

    [Fact]
    public async Task Disconnect_user_on_one_node_closes_the_users_connections_on_every_node()
    {
        await using var nodes = await StartSecuredAsync();
        await WaitForMembershipAsync(nodes.Nodes);
        await using var onA = await nodes.A.ConnectWithTokenAsync(Token("carol"));
        await using var onB = await nodes.B.ConnectWithTokenAsync(Token("carol"));
        await using var other = await nodes.B.ConnectWithTokenAsync(Token("dave"));

        Assert.Equal(1, Api(nodes.A).DisconnectUser("carol", "account suspended"));
        foreach (var client in new[] { onA, onB })
        {
            var (status, reason) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(4005, (int?)status);
            Assert.Equal("account suspended", reason);
        }

        Assert.True(other.IsOpen);
        Assert.False(Api(nodes.B).DisconnectConnection("no-such-client"));
    }

    [Fact]
    public async Task Join_and_leave_of_a_client_on_another_node_reach_a_presence_watcher()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await WaitForMembershipAsync(nodes.Nodes);
        await using var watcher = await nodes.A.ConnectAsync();
        await watcher.OkAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "lobby.x", ["presence"] = true });
        await using var onB = await nodes.B.ConnectAsync();
        var client = onB.Welcome["client"]!.GetValue<string>();

        await onB.SubscribeAsync("lobby.x");
        var join = await watcher.ReceiveTypeAsync("join", TimeSpan.FromSeconds(30));
        Assert.Equal("lobby.x", join["channel"]!.GetValue<string>());
        Assert.Equal(client, join["client"]!.GetValue<string>());

        await onB.OkAsync(new JsonObject { ["type"] = "unsubscribe", ["channel"] = "lobby.x" });
        var leave = await watcher.ReceiveTypeAsync("leave", TimeSpan.FromSeconds(30));
        Assert.Equal(client, leave["client"]!.GetValue<string>());

        // And a close counts as a leave too.
        await onB.SubscribeAsync("lobby.x");
        await watcher.ReceiveTypeAsync("join", TimeSpan.FromSeconds(30));
        await onB.CloseAsync();
        Assert.Equal(client, (await watcher.ReceiveTypeAsync("leave", TimeSpan.FromSeconds(30)))["client"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_node_that_stops_gracefully_says_goodbye_and_its_clients_leave_for_watchers_elsewhere()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis);
        await WaitForMembershipAsync(nodes.Nodes);
        await using var watcher = await nodes.A.ConnectAsync();
        await watcher.OkAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "bye.x", ["presence"] = true });
        await using var onB = await nodes.B.ConnectAsync();
        await onB.SubscribeAsync("bye.x");
        await watcher.ReceiveTypeAsync("join", TimeSpan.FromSeconds(30));

        await nodes.B.StopAsync(); // Drains: B's client is closed with 1001 and leaves; then B says goodbye on the bus.
        Assert.Equal(onB.Welcome["client"]!.GetValue<string>(), (await watcher.ReceiveTypeAsync("leave", TimeSpan.FromSeconds(30)))["client"]!.GetValue<string>());

        // Gone from A's members at once: without the goodbye it would take PresenceNodeTtl (30 s) of silence.
        var bus = nodes.A.Services.GetRequiredService<IClusterBus>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (bus.OtherNodes.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "node A still lists the stopped node");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Cluster_stats_list_every_node_and_sum_over_them()
    {
        await using var nodes = await ClusterNodes.StartAsync(
            redis,
            count: 3,
            configureServices: services => services.Configure<Switchboard.Server.HttpApi.SwitchboardHttpApiOptions>(o => o.Key = "cluster-key"),
            configureApp: app => app.MapSwitchboardApi("/api"));
        await WaitForMembershipAsync(nodes.Nodes);
        var clients = new List<TestClient>();
        foreach (var (node, channel) in new[] { (nodes.A, "s.1"), (nodes.A, "s.2"), (nodes.B, "s.1"), (nodes.C, "s.*") })
        {
            var client = await node.ConnectAsync();
            await client.SubscribeAsync(channel);
            clients.Add(client);
        }

        var stats = await Api(nodes.B).GetClusterStatsAsync();
        Assert.Empty(stats.Unanswered);
        Assert.Equal(Api(nodes.B).GetNodeStats().Node, stats.Nodes[0].Node);
        var byNode = stats.Nodes.ToDictionary(n => n.Node);
        Assert.Equal(3, byNode.Count);
        Assert.Equal((2, 2, 2L), Counts(byNode[Api(nodes.A).GetNodeStats().Node]));
        Assert.Equal((1, 1, 1L), Counts(byNode[Api(nodes.B).GetNodeStats().Node]));
        Assert.Equal((1, 1, 1L), Counts(byNode[Api(nodes.C).GetNodeStats().Node]));
        Assert.Equal(4, stats.Connections);
        Assert.Equal(4, stats.Subscriptions);

        // The HTTP API's info: this node's own numbers at the top, every node under "cluster".
        using var http = new HttpClient { BaseAddress = nodes.C.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/info") { Content = new StringContent("{}") };
        request.Headers.Add("X-API-Key", "cluster-key");
        using var response = await http.SendAsync(request);
        var info = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(1, info["connections"]!.GetValue<int>());
        Assert.Equal(4, info["cluster"]!["connections"]!.GetValue<long>());
        Assert.Equal(4, info["cluster"]!["subscriptions"]!.GetValue<long>());
        Assert.Equal(3, info["cluster"]!["nodes"]!.AsArray().Count);
        Assert.Equal(Api(nodes.C).GetNodeStats().Node, info["cluster"]!["nodes"]![0]!["node"]!.GetValue<string>());
        Assert.Empty(info["cluster"]!["unanswered"]!.AsArray());

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        static (int, int, long) Counts(NodeStats n) => (n.Connections, n.Channels, n.Subscriptions);
    }
}
