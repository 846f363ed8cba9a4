using System.Text.Json.Nodes;

namespace Switchboard.Redis.Tests;

/// <summary>
/// A connection's publishes through Redis are pipelined (the node does not wait for each result before it reads the
/// next command), and the connection still sees its commands executed one after another: replies in command order,
/// offsets in the order sent, and a later command sees every earlier publication.
/// </summary>
public sealed class PublishPipelineTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static string Publish(int id, string channel, int n) =>
        new JsonObject { ["type"] = "publish", ["id"] = id, ["channel"] = channel, ["data"] = new JsonObject { ["n"] = n } }.ToJsonString();

    [Fact]
    public async Task A_burst_of_publishes_is_answered_in_order_with_offsets_in_the_order_sent_and_the_next_command_sees_them_all()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis, count: 1);
        await using var client = await nodes.A.ConnectAsync();
        const int count = 300; // More than one connection may have in flight, so the limit is crossed too.
        for (var id = 1; id <= count; id++)
        {
            await client.SendRawAsync(Publish(id, "pipe.burst", id));
        }

        await client.SendRawAsync("{\"type\":\"history\",\"id\":" + (count + 1) + ",\"channel\":\"pipe.burst\",\"limit\":" + count + "}");

        var replies = new List<JsonObject>();
        while (replies.Count < count + 1)
        {
            replies.Add(await client.ReceiveTypeAsync("result", TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(Enumerable.Range(1, count + 1), replies.Select(r => r["id"]!.GetValue<int>()));
        Assert.All(replies, r => Assert.True(r["success"]!.GetValue<bool>(), r.ToJsonString()));
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), replies.Take(count).Select(r => r["result"]!["offset"]!.GetValue<long>()));
        var history = replies[count]["result"]!["publications"]!.AsArray();
        Assert.Equal(Enumerable.Range(1, count), history.Select(p => p!["data"]!["n"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_refused_publish_between_pipelined_ones_is_answered_in_its_place()
    {
        await using var nodes = await ClusterNodes.StartAsync(redis, count: 1);
        await using var client = await nodes.A.ConnectAsync();
        await client.SendRawAsync(Publish(1, "pipe.mixed", 1));
        await client.SendRawAsync(Publish(2, "pipe.mixed", 2));
        await client.SendRawAsync(Publish(3, "sb:handler.reserved", 3)); // Reserved for custom handlers: forbidden.
        await client.SendRawAsync("{\"type\":\"publish\",\"id\":4}"); // Invalid: no channel.
        await client.SendRawAsync(Publish(5, "pipe.mixed", 5));
        await client.SendRawAsync("{\"type\":\"ping\",\"id\":6}");

        var replies = new List<JsonObject>();
        while (replies.Count < 6)
        {
            replies.Add(await client.ReceiveAsync(m => m["id"] is not null, TimeSpan.FromSeconds(30)));
        }

        Assert.Equal([1, 2, 3, 4, 5, 6], replies.Select(r => r["id"]!.GetValue<int>()));
        Assert.Equal([true, true, false, false, true], replies.Take(5).Select(r => r["success"]!.GetValue<bool>()));
        Assert.Equal("forbidden", replies[2]["error"]!["code"]!.GetValue<string>());
        Assert.Equal("bad_request", replies[3]["error"]!["code"]!.GetValue<string>());
        Assert.Equal([1L, 2L, 3L], new[] { replies[0], replies[1], replies[4] }.Select(r => r["result"]!["offset"]!.GetValue<long>()));
        Assert.Equal("pong", replies[5]["type"]!.GetValue<string>());
    }
}
