using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using Switchboard.Server;

namespace Switchboard.Nats.Tests;

/// <summary>Publications on bridged channels go to NATS subjects, and the two directions never loop.</summary>
public sealed class ChannelsToNatsTests(NatsServer nats) : IClassFixture<NatsServer>
{
    [Fact]
    public async Task A_client_publication_on_a_mapped_channel_arrives_on_the_nats_subject_and_nothing_echoes_back()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("chat.*", "rooms.{1}", direction: "both")));
        await using var backend = await BridgedServer.ConnectAsync(nats);
        await using var fromSwitchboard = await backend.SubscribeCoreAsync<byte[]>("chat.*");
        await backend.PingAsync();
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("rooms.lobby");

        await client.PublishAsync("rooms.lobby", JsonDocumentNode("""{"text":"hi"}"""));

        var hi = await ReadAsync(fromSwitchboard);
        Assert.Equal("chat.lobby", hi.Subject);
        Assert.Equal("""{"text":"hi"}""", Encoding.UTF8.GetString(hi.Data!));
        Assert.Equal(client.Welcome["client"]!.GetValue<string>(), hi.Headers!["Switchboard-Client"].ToString());
        Assert.Equal("1", hi.Headers["Switchboard-Offset"].ToString());
        Assert.Equal(1, (await client.ReceiveMessagesAsync(1))[0]["offset"]!.GetValue<long>());

        // A backend message comes in once (offset 2, not the echo of "hi") and is not sent back out to NATS.
        await backend.PublishAsync("chat.lobby", Encoding.UTF8.GetBytes("""{"text":"from backend"}"""));
        var second = (await client.ReceiveMessagesAsync(1))[0];
        Assert.Equal(2, second["offset"]!.GetValue<long>());
        Assert.Equal("from backend", second["data"]!["text"]!.GetValue<string>());
        Assert.Equal("""{"text":"from backend"}""", Encoding.UTF8.GetString((await ReadAsync(fromSwitchboard)).Data!)); // its own publish

        // Server-side publishes (ISwitchboard, as the HTTP API makes them) are forwarded too, right after: no echo in between.
        await server.Services.GetRequiredService<ISwitchboard>().PublishAsync("rooms.lobby", Encoding.UTF8.GetBytes("""{"text":"api"}"""));
        var api = await ReadAsync(fromSwitchboard);
        Assert.Equal("""{"text":"api"}""", Encoding.UTF8.GetString(api.Data!));
        Assert.False(api.Headers!.ContainsKey("Switchboard-Client"));
        Assert.Equal("3", api.Headers["Switchboard-Offset"].ToString());
        Assert.Equal(3, (await client.ReceiveMessagesAsync(1))[0]["offset"]!.GetValue<long>());
    }

    [Fact]
    public async Task Wrapped_forwarding_names_the_channel_and_publisher_and_channels_outside_the_bridge_stay_local()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("sensors.>", direction: "channels-to-nats", payload: "wrapped")));
        await using var backend = await BridgedServer.ConnectAsync(nats);
        await using var fromSwitchboard = await backend.SubscribeCoreAsync<byte[]>(">");
        await backend.PingAsync();
        await using var client = await server.ConnectAsync();

        await client.PublishAsync("local.only", JsonDocumentNode("1"));
        await client.PublishAsync("sensors.hall.temp", JsonDocumentNode("21.5"));

        var message = await ReadAsync(fromSwitchboard);
        Assert.Equal("sensors.hall.temp", message.Subject); // the first one stayed in Switchboard
        using var wrapped = JsonDocument.Parse(message.Data);
        Assert.Equal("sensors.hall.temp", wrapped.RootElement.GetProperty("channel").GetString());
        Assert.Equal(21.5, wrapped.RootElement.GetProperty("data").GetDouble());
        Assert.Equal(1, wrapped.RootElement.GetProperty("offset").GetInt64());
        Assert.Equal(client.Welcome["client"]!.GetValue<string>(), wrapped.RootElement.GetProperty("client").GetString());
    }

    private static System.Text.Json.Nodes.JsonNode JsonDocumentNode(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!;

    private static async Task<NatsMsg<byte[]>> ReadAsync(INatsSub<byte[]> subscription)
    {
        using var timeout = new CancellationTokenSource(BridgedServer.Timeout);
        return await subscription.Msgs.ReadAsync(timeout.Token);
    }
}
