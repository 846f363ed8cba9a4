using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Brokers;
using Switchboard.Server;

namespace Switchboard.Nats.Tests;

/// <summary>The server seam the bridge forwards from: once per new publication, for client and server publishes.</summary>
public sealed class PublicationObserverTests
{
    [Fact]
    public async Task Observers_see_client_and_server_publications_once_and_no_repeated_idempotency_key()
    {
        var seen = new Recorder();
        await using var server = await TestServer.StartAsync(configureServices: s => s.AddSingleton<IPublicationObserver>(seen));
        await using var client = await server.ConnectAsync();

        await client.OkAsync(new System.Text.Json.Nodes.JsonObject { ["type"] = "publish", ["channel"] = "a", ["data"] = 1, ["key"] = "k1" });
        await client.OkAsync(new System.Text.Json.Nodes.JsonObject { ["type"] = "publish", ["channel"] = "a", ["data"] = 1, ["key"] = "k1" });
        await server.Services.GetRequiredService<ISwitchboard>().PublishAsync("a", Encoding.UTF8.GetBytes("2"));

        Assert.Equal([(1L, true), (2L, false)], seen.Calls.Select(c => (c.Offset, c.FromClient)));
    }

    private sealed class Recorder : IPublicationObserver
    {
        public ConcurrentQueue<(long Offset, bool FromClient)> Calls { get; } = new();

        public void OnPublished(PublishRequest request, PublishResult result) => Calls.Enqueue((result.Position.Offset, request.From is not null));
    }
}
