using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Brokers;
using Switchboard.Server.Handlers;
using Switchboard.Server.Tests.Handlers;

namespace Switchboard.Server.Tests.Intake;

/// <summary>
/// Every intake refuses data a subscriber cannot take before anything is stored or queued: invalid UTF-8 inside a
/// JSON string (it reached subscribers as an invalid text frame, 1007 on their side, and from history again on every
/// read), and data larger than <see cref="SwitchboardOptions.MaxPublicationSize"/> (it closed every subscriber with 4003).
/// </summary>
public sealed class PublicationIntakeTests
{
    /// <summary>Structurally one JSON object, with the invalid UTF-8 sequence C3 28 inside its string.</summary>
    internal static readonly byte[] Poison = [.. "{\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8];

    /// <summary>About 600 KB of valid JSON: more than half of the default 1 MiB queue, less than the whole queue.</summary>
    internal static byte[] Large(int size = 600_000) => Encoding.UTF8.GetBytes($"{{\"blob\":\"{new string('x', size)}\"}}");

    [Fact]
    public async Task Application_code_publishing_invalid_utf8_gets_an_argument_exception_and_nothing_is_stored_or_sent()
    {
        await using var server = await TestServer.StartAsync();
        using var refused = new RefusedPublications(server);
        await using var subscriber = await server.ConnectAsync();
        await subscriber.SubscribeAsync("intake.poison");
        var switchboard = server.Services.GetRequiredService<ISwitchboard>();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => switchboard.PublishAsync("intake.poison", Poison).AsTask());
        Assert.Equal("data is not valid UTF-8 (Parameter 'data')", error.Message);
        Assert.Equal(1, refused.Count("invalid_json"));
        await switchboard.PublishAsync("intake.poison", """{"ok":true}"""u8.ToArray());

        var message = await subscriber.ExpectMessageAsync("intake.poison");
        Assert.Equal(1, message["offset"]!.GetValue<long>());
        Assert.True(subscriber.IsOpen);
        var history = await switchboard.GetHistoryAsync("intake.poison");
        Assert.Equal(["""{"ok":true}"""], history.Publications.Select(p => Encoding.UTF8.GetString(p.Data.Span)));
    }

    [Fact]
    public async Task Application_code_publishing_more_than_a_subscriber_can_receive_gets_publication_too_large_and_subscribers_stay()
    {
        await using var server = await TestServer.StartAsync();
        using var refused = new RefusedPublications(server);
        await using var subscriber = await server.ConnectAsync();
        await subscriber.SubscribeAsync("intake.large");
        var switchboard = server.Services.GetRequiredService<ISwitchboard>();
        var limit = server.Services.GetRequiredService<IOptions<SwitchboardOptions>>().Value.MaxPublicationSize;
        Assert.Equal((1024 * 1024 / 2) - 1024, limit);

        var error = await Assert.ThrowsAsync<PublicationTooLargeException>(() => switchboard.PublishAsync("intake.large", Large()).AsTask());
        Assert.Equal(limit, error.Limit);
        Assert.Equal(1, refused.Count("too_large"));
        await switchboard.PublishAsync("intake.large", Large(limit - 20)); // just within: delivered
        await switchboard.PublishAsync("intake.large", "2"u8.ToArray());

        var messages = await subscriber.ReceiveMessagesAsync(2);
        Assert.Equal([1L, 2L], messages.Select(m => m["offset"]!.GetValue<long>()));
        Assert.True(subscriber.IsOpen);
        Assert.Equal(2, (await switchboard.GetHistoryAsync("intake.large")).Publications.Count);
    }

    [Fact]
    public async Task A_websocket_publish_larger_than_a_subscriber_can_receive_gets_too_large_and_the_subscriber_stays()
    {
        // Frames up to 1 MiB are read, so only the publication limit (half the 1 MiB queue, less 1 KiB) stands in the way.
        await using var server = await TestServer.StartAsync(o => o.MaxMessageSize = 1024 * 1024);
        await using var subscriber = await server.ConnectAsync();
        await using var publisher = await server.ConnectAsync();
        await subscriber.SubscribeAsync("intake.ws");

        var reply = await publisher.CommandAsync(new JsonObject { ["type"] = "publish", ["channel"] = "intake.ws", ["data"] = JsonNode.Parse(Large()) });
        Assert.False(reply["success"]!.GetValue<bool>());
        Assert.Equal("too_large", reply["error"]!["code"]!.GetValue<string>());
        Assert.StartsWith("data is 600011 bytes, more than the 523264 a subscriber can receive", reply["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await publisher.PublishAsync("intake.ws", 1);

        var message = await subscriber.ExpectMessageAsync("intake.ws");
        Assert.Equal(1, message["offset"]!.GetValue<long>());
        Assert.True(subscriber.IsOpen && publisher.IsOpen);
    }

    [Fact]
    public async Task Server_sends_of_invalid_utf8_or_too_much_data_are_refused_and_the_user_stays_connected()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var switchboard = server.Services.GetRequiredService<ISwitchboard>();
        var clientId = client.Welcome["client"]!.GetValue<string>();

        Assert.ThrowsAny<ArgumentException>(() => switchboard.SendToConnection(clientId, "direct", Poison));
        Assert.Throws<PublicationTooLargeException>(() => switchboard.SendToConnection(clientId, "direct", Large()));
        Assert.True(switchboard.SendToConnection(clientId, "direct", "3"u8.ToArray()));

        var message = await client.ReceiveTypeAsync("message");
        Assert.Equal(3, message["data"]!.GetValue<int>());
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task A_handler_broadcast_of_invalid_utf8_or_too_much_data_is_refused_and_members_stay_connected()
    {
        await using var server = await HandlerServer.StartAsync();
        using var refused = new RefusedPublications(server);
        await using var member = await server.ConnectChatAsync();
        var clients = server.Services.GetRequiredService<HandlerClients<ChatTestHandler>>();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => clients.All.SendAsync(Poison).AsTask());
        await Assert.ThrowsAsync<PublicationTooLargeException>(() => clients.All.SendAsync(Large()).AsTask());
        await Assert.ThrowsAsync<PublicationTooLargeException>(() => clients.All.SendAsync(new Notice("notice", new string('y', 600_000)), ChatJson.Default.Notice).AsTask());
        await clients.All.SendAsync("""{"type":"marker"}"""u8.ToArray());

        await member.ReceiveTypeAsync("marker");
        Assert.True(member.Client.IsOpen);
        Assert.Equal(1, refused.Count("invalid_json"));
        Assert.Equal(2, refused.Count("too_large"));
    }
}
