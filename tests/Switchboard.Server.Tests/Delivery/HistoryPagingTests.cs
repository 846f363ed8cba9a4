using System.Text.Json.Nodes;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>
/// <c>history</c> never answers more than fits the outgoing queue: a channel larger than the queue is answered in
/// pages, oldest first, each saying <c>more</c>, and read to its end with <c>since</c>. Run on the memory broker here
/// and on Redis by a subclass.
/// </summary>
public class HistoryPagingTests
{
    /// <summary>Starts the server under test (the memory broker here).</summary>
    protected virtual Task<TestServer> StartServerAsync(Action<SwitchboardOptions> configure) => TestServer.StartAsync(configure);

    /// <summary>Publishes 1,000 publications of about 2 KB (about 2 MiB) to <paramref name="channel"/>.</summary>
    protected static async Task PublishLargeAsync(TestClient client, string channel)
    {
        var padding = new string('p', 2000);
        for (var n = 1; n < 1000; n++)
        {
            await client.SendRawAsync(new JsonObject { ["type"] = "publish", ["channel"] = channel, ["data"] = new JsonObject { ["n"] = n, ["pad"] = padding } }.ToJsonString());
        }

        await client.PublishAsync(channel, new JsonObject { ["n"] = 1000, ["pad"] = padding });
    }

    private static JsonObject History(string channel, long? since = null, string? epoch = null, int? limit = null)
    {
        var command = new JsonObject { ["type"] = "history", ["channel"] = channel };
        if (since is { } offset)
        {
            command["since"] = new JsonObject { ["offset"] = offset, ["epoch"] = epoch };
        }

        if (limit is { } n)
        {
            command["limit"] = n;
        }

        return command;
    }

    [Fact]
    public async Task A_channel_larger_than_the_outgoing_queue_is_answered_in_pages_and_read_to_its_end_with_since()
    {
        // 1,000 publications of about 2 KB (about 2 MiB) against a 1 MiB outgoing queue, as in the report.
        await using var server = await StartServerAsync(o => o.HistorySize = 1000);
        await using var client = await server.ConnectAsync();
        await PublishLargeAsync(client, "big.x");

        // Without a limit: the connection stays, the answer is the oldest part that fits, and says there is more.
        var first = await client.OkAsync(History("big.x"), TimeSpan.FromSeconds(30));
        var page = first!["publications"]!.AsArray();
        Assert.InRange(page.Count, 1, 999);
        Assert.True(first["more"]!.GetValue<bool>());
        var epoch = first["epoch"]!.GetValue<string>();
        Assert.Equal(1000, first["offset"]!.GetValue<long>());

        var offsets = page.Select(p => p!["offset"]!.GetValue<long>()).ToList();
        var pages = 1;
        var more = true;
        while (more)
        {
            var next = await client.OkAsync(History("big.x", offsets[^1], epoch, limit: 300), TimeSpan.FromSeconds(30));
            var publications = next!["publications"]!.AsArray();
            Assert.InRange(publications.Count, 1, 300);
            offsets.AddRange(publications.Select(p => p!["offset"]!.GetValue<long>()));
            more = next["more"]?.GetValue<bool>() ?? false;
            pages++;
            Assert.True(pages < 50, "paging did not end");
        }

        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), offsets);
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task Since_with_a_limit_pages_forward_from_the_oldest_and_the_last_page_has_no_more()
    {
        await using var server = await StartServerAsync(o => o.HistorySize = 100);
        await using var client = await server.ConnectAsync();
        var epoch = (await client.SubscribeAsync("page.x"))!["epoch"]!.GetValue<string>();
        for (var n = 1; n <= 7; n++)
        {
            await client.PublishAsync("page.x", n);
        }

        static long[] Offsets(JsonNode? result) => [.. result!["publications"]!.AsArray().Select(p => p!["offset"]!.GetValue<long>())];

        var head = await client.OkAsync(History("page.x", 0, epoch, limit: 3));
        Assert.Equal([1L, 2, 3], Offsets(head));
        Assert.True(head!["more"]!.GetValue<bool>());
        var middle = await client.OkAsync(History("page.x", 3, epoch, limit: 3));
        Assert.Equal([4L, 5, 6], Offsets(middle));
        Assert.True(middle!["more"]!.GetValue<bool>());
        var tail = await client.OkAsync(History("page.x", 6, epoch, limit: 3));
        Assert.Equal([7L], Offsets(tail));
        Assert.Null(tail!["more"]);

        // Without since, a limit still means the newest N, and they are the end of the stream.
        var newest = await client.OkAsync(History("page.x", limit: 2));
        Assert.Equal([6L, 7], Offsets(newest));
        Assert.Null(newest!["more"]);
    }
}
