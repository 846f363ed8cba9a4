using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Tests.Infrastructure;
using Switchboard.Cluster;
using Switchboard.Server;

namespace Switchboard.Redis.Tests;

/// <summary>
/// A <c>switchboard serve</c> node in its own process, killed with SIGKILL (no drain, no goodbye, nothing removed):
/// the other nodes take it as lost within its <c>PresenceNodeTtl</c> (plus a heartbeat), its clients leave presence,
/// and watchers on the other nodes get <c>leave</c> for them.
/// </summary>
public sealed class NodeCrashTests(RedisServer redis) : IClassFixture<RedisServer>
{
    // Short, so the test is quick; not so short that a loaded machine delays a refresh past it (the node would look dead).
    private static readonly TimeSpan NodeTtl = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_node_killed_with_sigkill_leaves_presence_and_watchers_on_other_nodes_get_leave_for_its_clients()
    {
        // Two nodes in this process, each with a watcher: each must get every leave (neither takes them from the other).
        await using var nodes = await ClusterNodes.StartAsync(redis, count: 2, configureRedis: o => o.PresenceNodeTtl = NodeTtl);
        using var process = ChildProcess.Switchboard(
        [
            "serve", "--urls", "http://127.0.0.1:0",
            $"--Switchboard:Redis:Configuration={redis.Configuration}",
            $"--Switchboard:Redis:KeyPrefix={nodes.Prefix}",
            $"--Switchboard:Redis:PresenceNodeTtl={NodeTtl}",
        ]);
        var listening = await process.WaitForLineAsync(@"listening on http://(127\.0\.0\.1:\d+)", TimeSpan.FromSeconds(60));
        var crashUri = new Uri($"ws://{listening.Groups[1].Value}/ws");

        await using var watchers = new ClientGroup();
        foreach (var node in nodes.Nodes)
        {
            var watcher = await watchers.AddAsync(node.WebSocketUri);
            watcher.AnswerPings = true;
            await watcher.OkAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "crash.x", ["presence"] = true });
            await ClusterBusTests.WaitForOtherNodesAsync(node, 2);
        }

        await using var victims = new ClientGroup();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var victim = await victims.AddAsync(crashUri);
            await victim.SubscribeAsync("crash.x");
        }

        var victimIds = victims.Clients.Select(c => c.Welcome["client"]!.GetValue<string>()).Order().ToArray();
        foreach (var watcher in watchers.Clients)
        {
            Assert.Equal(victimIds, await ReceiveClientsAsync(watcher, "join", victimIds));
        }

        var api = nodes.A.Services.GetRequiredService<ISwitchboard>();
        Assert.Equal(victimIds.Length + 2, (await api.GetPresenceAsync("crash.x")).Count);

        Process.GetProcessById(process.Id).Kill(); // SIGKILL: the node does nothing more.

        foreach (var watcher in watchers.Clients)
        {
            Assert.Equal(victimIds, await ReceiveClientsAsync(watcher, "leave", victimIds));
        }

        var watcherIds = watchers.Clients.Select(c => c.Welcome["client"]!.GetValue<string>()).Order();
        foreach (var node in nodes.Nodes)
        {
            var presence = await node.Services.GetRequiredService<ISwitchboard>().GetPresenceAsync("crash.x");
            Assert.Equal(watcherIds, presence.Select(e => e.Client).Order());
            Assert.Single(node.Services.GetRequiredService<IClusterBus>().OtherNodes); // The other in-process node.
        }
    }

    /// <summary>The next <paramref name="type"/> events about the victims (a watcher also hears the other watcher join).</summary>
    private static async Task<string[]> ReceiveClientsAsync(TestClient watcher, string type, string[] victims)
    {
        var clients = new List<string>();
        while (clients.Count < victims.Length)
        {
            var message = await watcher.ReceiveAsync(m => m["type"]?.GetValue<string>() == type && victims.Contains(m["client"]?.GetValue<string>()), TimeSpan.FromSeconds(30));
            clients.Add(message["client"]!.GetValue<string>());
        }

        return [.. clients.Order()];
    }

    /// <summary>Clients disposed together (those of the killed node have dead sockets already).</summary>
    private sealed class ClientGroup : IAsyncDisposable
    {
        public List<TestClient> Clients { get; } = [];

        public async Task<TestClient> AddAsync(Uri uri)
        {
            var client = await TestClient.ConnectAsync(uri);
            Clients.Add(client);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in Clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
