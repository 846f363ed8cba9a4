using System.Text.Json.Nodes;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Switchboard.Nats.Tests;

/// <summary>
/// A client cannot squat the bridge's idempotency keys: a publish with a key that names a JetStream message
/// (<c>nats:STREAM:SEQ</c>) or a <c>Nats-Msg-Id</c> (<c>nats:ID</c>) is refused, and the NATS message it aimed at is
/// published. Before, the bridge took it for a duplicate: acknowledged, never published.
/// </summary>
public sealed class NatsKeySquattingTests(NatsServer nats) : IClassFixture<NatsServer>
{
    private static JsonObject Publish(string channel, string key) => new() { ["type"] = "publish", ["channel"] = channel, ["data"] = "squat", ["key"] = key };

    private static async Task AssertReservedAsync(TestClient client, string channel, string key)
    {
        var reply = await client.CommandAsync(Publish(channel, key));
        Assert.False(reply["success"]!.GetValue<bool>());
        Assert.Equal("bad_request", reply["error"]!["code"]!.GetValue<string>());
        Assert.Equal("keys starting with 'nats:' are reserved for the NATS bridge", reply["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_key_naming_a_jetstream_message_is_refused_and_that_message_is_published()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("squat.*", "squat.{1}", stream: "SQUAT")));
        await using var subscriber = await server.ConnectAsync();
        await using var squatter = await server.ConnectAsync();
        await subscriber.SubscribeAsync("squat.paid");

        // Sequence 1 of the new stream, in the form the keys had, and the form they have now.
        await AssertReservedAsync(squatter, "squat.paid", "nats:SQUAT:1");
        await AssertReservedAsync(squatter, "squat.paid", "nats:js:SQUAT:1");
        await using var backend = await BridgedServer.ConnectAsync(nats);
        (await new NatsJSContext(backend).PublishAsync("squat.paid", """{"invoice":1}"""u8.ToArray())).EnsureSuccess();

        var message = (await subscriber.ReceiveMessagesAsync(1, BridgedServer.Timeout))[0];
        Assert.Equal(1, message["data"]!["invoice"]!.GetValue<int>());
        Assert.Equal(1, message["offset"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_client_key_naming_a_nats_message_id_is_refused_and_that_message_is_published()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("evt.*", "evt.{1}")));
        await using var subscriber = await server.ConnectAsync();
        await using var squatter = await server.ConnectAsync();
        await subscriber.SubscribeAsync("evt.created");

        await AssertReservedAsync(squatter, "evt.created", "nats:evt-1");
        await AssertReservedAsync(squatter, "evt.created", "nats:id:evt-1");

        // A client key without the prefix does not collide either: it is stored in the client's own scope.
        Assert.Equal(1, (await squatter.OkAsync(Publish("evt.created", "evt-1")))!["offset"]!.GetValue<long>());
        await using var backend = await BridgedServer.ConnectAsync(nats);
        await backend.PublishAsync("evt.created", """{"event":1}"""u8.ToArray(), new NatsHeaders { ["Nats-Msg-Id"] = "evt-1" });

        var messages = await subscriber.ReceiveMessagesAsync(2, BridgedServer.Timeout);
        Assert.Equal("squat", messages[0]["data"]!.GetValue<string>());
        Assert.Equal(1, messages[1]["data"]!["event"]!.GetValue<int>());
        Assert.Equal(2, messages[1]["offset"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_nats_message_id_that_looks_like_a_stream_and_sequence_does_not_suppress_that_jetstream_message()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("ids.*", "ids.{1}", stream: "IDS")));
        await using var subscriber = await server.ConnectAsync();
        await subscriber.SubscribeAsync("ids.x");
        await using var backend = await BridgedServer.ConnectAsync(nats);
        var js = new NatsJSContext(backend);

        // Sequence 1 carries the id "IDS:2"; sequence 2 has no id, so its key is made of stream and sequence.
        (await js.PublishAsync("ids.x", """{"n":1}"""u8.ToArray(), headers: new NatsHeaders { ["Nats-Msg-Id"] = "IDS:2" })).EnsureSuccess();
        (await js.PublishAsync("ids.x", """{"n":2}"""u8.ToArray())).EnsureSuccess();

        var messages = await subscriber.ReceiveMessagesAsync(2, BridgedServer.Timeout);
        Assert.Equal([1, 2], messages.Select(m => m["data"]!["n"]!.GetValue<int>()));
    }
}
