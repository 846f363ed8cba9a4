using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.JetStream;
using Switchboard.Brokers;
using Switchboard.Server;

namespace Switchboard.Nats.Tests;

/// <summary>
/// NATS payloads no subscriber can take are refused, counted and never stored: invalid UTF-8 inside a JSON string
/// (it reached every subscriber as an invalid text frame, and again from history), and a 1 MB message (more than each
/// subscriber's queue: it closed them all with 4003).
/// </summary>
public sealed class NatsIntakeRefusalTests(NatsServer nats) : IClassFixture<NatsServer>
{
    /// <summary>Structurally one JSON object, with the invalid UTF-8 sequence C3 28 inside its string.</summary>
    private static readonly byte[] Poison = [.. "{\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8];

    /// <summary>Just under nats-server's default max_payload (1 MiB), as JSON: with its message around it, more than the 1 MiB queue.</summary>
    private static readonly byte[] OneMegabyte = Encoding.UTF8.GetBytes($"{{\"blob\":\"{new string('x', (1024 * 1024) - 100)}\"}}");

    [Fact]
    public async Task A_payload_with_invalid_utf8_in_a_string_is_refused_counted_kept_out_of_history_and_subscribers_stay_connected()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("poison.*", "poison.{1}")));
        using var errors = new MetricCollector(server, "switchboard.nats.errors");
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("poison.input");
        await using var backend = await BridgedServer.ConnectAsync(nats);

        await backend.PublishAsync("poison.input", Poison);
        await backend.PublishAsync("poison.input", """{"ok":true}"""u8.ToArray());

        var message = (await client.ReceiveMessagesAsync(1))[0];
        Assert.True(message["data"]!["ok"]!.GetValue<bool>());
        Assert.Equal(1, message["offset"]!.GetValue<long>());
        Assert.Equal(1, errors.Sum("reason", "invalid_json"));
        Assert.True(client.IsOpen);
        var history = await server.Services.GetRequiredService<ISwitchboard>().GetHistoryAsync("poison.input", new HistoryQuery(null, null));
        Assert.Equal(["""{"ok":true}"""], history.Publications.Select(p => Encoding.UTF8.GetString(p.Data.Span)));
    }

    [Fact]
    public async Task A_poison_jetstream_message_is_acknowledged_and_dropped_not_redelivered_for_ever()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("tainted.*", "tainted.{1}", stream: "TAINTED")));
        using var errors = new MetricCollector(server, "switchboard.nats.errors");
        using var redeliveries = new MetricCollector(server, "switchboard.nats.redeliveries");
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("tainted.input");
        await using var backend = await BridgedServer.ConnectAsync(nats);
        var js = new NatsJSContext(backend);

        (await js.PublishAsync("tainted.input", Poison)).EnsureSuccess();
        (await js.PublishAsync("tainted.input", """{"n":2}"""u8.ToArray())).EnsureSuccess();

        var message = (await client.ReceiveMessagesAsync(1, BridgedServer.Timeout))[0];
        Assert.Equal(2, message["data"]!["n"]!.GetValue<int>());
        Assert.Equal(1, message["offset"]!.GetValue<long>());
        Assert.Equal(1, errors.Sum("reason", "invalid_json"));
        Assert.Equal(0, redeliveries.Sum());
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task A_wrapped_payload_with_invalid_utf8_is_carried_as_text_with_replacement_characters()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("raw.poison", payload: "wrapped")));
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("raw.poison");
        await using var backend = await BridgedServer.ConnectAsync(nats);

        await backend.PublishAsync("raw.poison", Poison);

        var message = (await client.ReceiveMessagesAsync(1))[0];
        Assert.Equal("{\"text\":\"\uFFFD(\"}", message["data"]!["data"]!.GetValue<string>());
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task A_one_megabyte_message_is_refused_and_counted_and_subscribers_stay_connected_and_get_later_messages()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("big.*", "big.{1}")));
        using var errors = new MetricCollector(server, "switchboard.nats.errors");
        await using var client = await server.ConnectAsync();
        await using var other = await server.ConnectAsync("?batch=1");
        await client.SubscribeAsync("big.input");
        await other.SubscribeAsync("big.input");
        await using var backend = await BridgedServer.ConnectAsync(nats);

        await backend.PublishAsync("big.input", OneMegabyte);
        await backend.PublishAsync("big.input", """{"n":2}"""u8.ToArray());

        foreach (var subscriber in new[] { client, other })
        {
            var message = (await subscriber.ReceiveMessagesAsync(1))[0];
            Assert.Equal(2, message["data"]!["n"]!.GetValue<int>());
            Assert.Equal(1, message["offset"]!.GetValue<long>());
            Assert.True(subscriber.IsOpen);
        }

        Assert.Equal(1, errors.Sum("reason", "too_large"));
        var history = await server.Services.GetRequiredService<ISwitchboard>().GetHistoryAsync("big.input", new HistoryQuery(null, null));
        Assert.Equal(["""{"n":2}"""], history.Publications.Select(p => Encoding.UTF8.GetString(p.Data.Span)));
    }
}
