using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Cli.Tests.Infrastructure;
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
    private static readonly TimeSpan NodeTtl = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_node_killed_with_sigkill_leaves_presence_and_watchers_on_other_nodes_get_leave_for_its_clients()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis, count: 1, configureRedis: o => o.PresenceNodeTtl = NodeTtl);
        using var process = ChildProcess.Switchboard(
        [
            "serve", "--urls", "http://127.0.0.1:0",
            $"--Switchboard:Redis:Configuration={redis.Configuration}",
            $"--Switchboard:Redis:KeyPrefix={nodes.Prefix}",
            $"--Switchboard:Redis:PresenceNodeTtl={NodeTtl}",
        ]);
        var listening = await process.WaitForLineAsync(@"listening on http://(127\.0\.0\.1:\d+)", TimeSpan.FromSeconds(60));
        var crashUri = new Uri($"ws://{listening.Groups[1].Value}/ws");

        await using var watcher = await nodes.A.ConnectAsync();
        watcher.AnswerPings = true;
        await watcher.OkAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "crash.x", ["presence"] = true });
        await ClusterBusTests.WaitForOtherNodesAsync(nodes.A, 1);
        var bus = nodes.A.Services.GetRequiredService<IClusterBus>();

        await using var victims = new ClientGroup();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var victim = await victims.AddAsync(crashUri);
            await victim.SubscribeAsync("crash.x");
        }

        var victimIds = victims.Clients.Select(c => c.Welcome["client"]!.GetValue<string>()).Order().ToArray();
        var joined = new List<string>();
        while (joined.Count < victimIds.Length)
        {
            joined.Add((await watcher.ReceiveTypeAsync("join", TimeSpan.FromSeconds(30)))["client"]!.GetValue<string>());
        }

        Assert.Equal(victimIds, joined.Order());
        var api = nodes.A.Services.GetRequiredService<ISwitchboard>();
        Assert.Equal(victimIds.Length + 1, (await api.GetPresenceAsync("crash.x")).Count);

        Process.GetProcessById(process.Id).Kill(); // SIGKILL: the node does nothing more.

        var left = new List<string>();
        while (left.Count < victimIds.Length)
        {
            left.Add((await watcher.ReceiveTypeAsync("leave", TimeSpan.FromSeconds(30)))["client"]!.GetValue<string>());
        }

        Assert.Equal(victimIds, left.Order());
        var presence = await api.GetPresenceAsync("crash.x");
        Assert.Equal(watcher.Welcome["client"]!.GetValue<string>(), Assert.Single(presence).Client);
        Assert.Empty(bus.OtherNodes);
    }

    /// <summary>Clients of the killed node, disposed together (their sockets are already dead).</summary>
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
