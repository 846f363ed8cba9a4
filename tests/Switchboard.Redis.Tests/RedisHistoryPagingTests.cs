using Microsoft.Extensions.DependencyInjection;
using Switchboard.Client;
using Switchboard.Server;
using Switchboard.Server.Tests.Delivery;

namespace Switchboard.Redis.Tests;

/// <summary>The <c>history</c> paging tests on a node with the Redis broker, and the .NET client paging for its caller.</summary>
public sealed class RedisHistoryPagingTests(RedisServer redis) : HistoryPagingTests, IClassFixture<RedisServer>
{
    protected override Task<TestServer> StartServerAsync(Action<SwitchboardOptions> configure)
    {
        var prefix = RedisTestConnections.UniquePrefix();
        return TestServer.StartAsync(configure, services => services.AddSwitchboardRedis(o =>
        {
            o.Configuration = redis.Configuration;
            o.KeyPrefix = prefix;
        }));
    }

    [Fact]
    public async Task The_dotnet_client_reads_a_history_larger_than_the_outgoing_queue_to_its_end()
    {
        await using var server = await StartServerAsync(o => o.HistorySize = 1000);
        await using var publisher = await server.ConnectAsync();
        await PublishLargeAsync(publisher, "sdk.big");

        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await client.ConnectAsync();
        var all = await client.HistoryAsync("sdk.big");
        Assert.True(all.Complete);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), all.Publications.Select(p => p.Offset));

        // A limit with since: exactly that many, oldest first, across pages.
        var some = await client.HistoryAsync("sdk.big", new HistoryOptions { Since = new Switchboard.Protocol.StreamPosition(100, all.Position.Epoch), Limit = 600 });
        Assert.Equal(Enumerable.Range(101, 600).Select(i => (long)i), some.Publications.Select(p => p.Offset));
        Assert.Equal(ConnectionState.Connected, client.State);
    }
}
