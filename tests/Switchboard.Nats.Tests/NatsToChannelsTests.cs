using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server;
using Switchboard.Brokers;

namespace Switchboard.Nats.Tests;

/// <summary>NATS messages become normal channel publications: offsets, history, payload mappings, bad input.</summary>
public sealed class NatsToChannelsTests(NatsServer nats) : IClassFixture<NatsServer>
{
    [Fact]
    public async Task A_message_on_order_created_reaches_websocket_subscribers_of_the_mapped_channel_with_an_offset_and_is_in_history()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("order.*", "orders.{1}")));
        await using var client = await server.ConnectAsync();
        await using var other = await server.ConnectAsync();
        await client.SubscribeAsync("orders.created");
        await other.SubscribeAsync("orders.created");
        await using var backend = await BridgedServer.ConnectAsync(nats);

        await backend.PublishAsync("order.created", Encoding.UTF8.GetBytes("""{"id":42,"total":9.5}"""));

        foreach (var subscriber in new[] { client, other })
        {
            var message = (await subscriber.ReceiveMessagesAsync(1))[0];
            Assert.Equal("orders.created", message["channel"]!.GetValue<string>());
            Assert.Equal(42, message["data"]!["id"]!.GetValue<int>());
            Assert.Equal(1, message["offset"]!.GetValue<long>());
            Assert.Null(message["from"]); // a server publication, as through ISwitchboard
        }

        var history = await server.Services.GetRequiredService<ISwitchboard>().GetHistoryAsync("orders.created", new HistoryQuery(null, null));
        var stored = Assert.Single(history.Publications);
        Assert.Equal("""{"id":42,"total":9.5}""", Encoding.UTF8.GetString(stored.Data.Span));
    }

    [Fact]
    public async Task Wrapped_payloads_carry_the_subject_and_a_subject_maps_to_itself_without_a_template()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("payment.completed", payload: "wrapped")));
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("payment.completed");
        await using var backend = await BridgedServer.ConnectAsync(nats);

        await backend.PublishAsync("payment.completed", Encoding.UTF8.GetBytes("""{"order_id":7}"""));
        await backend.PublishAsync("payment.completed", Encoding.UTF8.GetBytes("plain text"));

        var messages = await client.ReceiveMessagesAsync(2);
        Assert.Equal("""{"subject":"payment.completed","data":{"order_id":7}}""", messages[0]["data"]!.ToJsonString());
        Assert.Equal("""{"subject":"payment.completed","data":"plain text"}""", messages[1]["data"]!.ToJsonString());
        Assert.Equal(2, messages[1]["offset"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_payload_that_is_not_json_is_dropped_and_counted_and_the_bridge_goes_on()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("bad.*", "bad.{1}")));
        using var errors = new MetricCollector(server, "switchboard.nats.errors");
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("bad.input");
        await using var backend = await BridgedServer.ConnectAsync(nats);

        await backend.PublishAsync("bad.input", Encoding.UTF8.GetBytes("{not json"));
        await backend.PublishAsync("bad.input", Encoding.UTF8.GetBytes("""{"ok":true}"""));

        var message = (await client.ReceiveMessagesAsync(1))[0];
        Assert.True(message["data"]!["ok"]!.GetValue<bool>());
        Assert.Equal(1, message["offset"]!.GetValue<long>()); // the bad one never became a publication
        Assert.Equal(1, errors.Sum("reason", "invalid_json"));
        Assert.True(client.IsOpen);
    }

}
