using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Client.Internal;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests.Parts;

/// <summary>The subscription set on its own: subscribing on each connection (with since), results and routing.</summary>
public sealed class SubscriptionSetTests : IAsyncDisposable
{
    private readonly SwitchboardClient _client = new(new SwitchboardClientOptions { Url = new Uri("ws://127.0.0.1:1/ws") });
    private readonly CommandTracker _commands = new(10, OfflineBufferOverflow.Reject, TimeSpan.FromSeconds(30));
    private readonly SubscriptionSet _set;

    public SubscriptionSetTests() => _set = new SubscriptionSet(_commands, NullLogger.Instance);

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private TypedSubscription<JsonElement> Subscription(string channel, SubscribeOptions? options = null) =>
        new(_client, channel, channel.Contains('*') || channel.Contains('>'), options, ClientJsonContext.Default.JsonElement, 100, NullLogger.Instance);

    private static ServerMessage Message(string json) => ServerMessageReader.Read(Encoding.UTF8.GetBytes(json))!;

    private static Protocol.Publication Publication(string channel, long offset) =>
        Message($$"""{"type":"message","channel":"{{channel}}","data":{{offset}},"offset":{{offset}},"epoch":"e","ts":1}""").Publication!;

    /// <summary>Answers the subscribe the set sent last with <paramref name="result"/>, as the receive loop would.</summary>
    private async Task AnswerAsync(RecordingSink sink, string result)
    {
        var id = (long)sink.Commands.Last(c => (string)c["type"]! == "subscribe")["id"]!;
        var command = _commands.Take(id)!;
        await command.OnResult!(Message($$"""{"type":"result","id":{{id}},"success":true,"result":{{result}}}"""));
    }

    [Fact]
    public async Task A_subscription_is_sent_once_per_connection_and_resubscribes_from_its_last_position()
    {
        var sink = new RecordingSink();
        _set.OnConnected(sink);
        var subscription = Subscription("room.a");
        _set.Add(subscription);
        Assert.Single(sink.Commands);
        await AnswerAsync(sink, """{"channel":"room.a","offset":4,"epoch":"e"}""");
        await subscription.FirstSubscribed.Task.OrTimeout();
        await _set.RouteAsync(Publication("room.a", 5));

        _set.OnDisconnected();
        var next = new RecordingSink();
        _set.OnConnected(next);
        var resubscribe = Assert.Single(next.Commands);
        Assert.Equal("""{"offset":5,"epoch":"e"}""", resubscribe["since"]!.ToJsonString());

        await AnswerAsync(next, """{"channel":"room.a","offset":7,"epoch":"e","recovered":true,"publications":[{"type":"message","channel":"room.a","data":6,"offset":6,"epoch":"e","ts":1},{"type":"message","channel":"room.a","data":7,"offset":7,"epoch":"e","ts":1}]}""");
        Assert.True(subscription.Recovered);
        Assert.Equal(new StreamPosition(7, "e"), subscription.Position);
        Assert.Equal([5L, 6, 7], await Drain(subscription, 3));
    }

    [Fact]
    public async Task A_live_offset_that_skips_is_not_delivered_and_the_channel_is_resubscribed_from_the_last_one()
    {
        var sink = new RecordingSink();
        _set.OnConnected(sink);
        var subscription = Subscription("room.gap");
        _set.Add(subscription);
        await AnswerAsync(sink, """{"channel":"room.gap","offset":4,"epoch":"e"}""");
        await _set.RouteAsync(Publication("room.gap", 5));

        await _set.RouteAsync(Publication("room.gap", 7)); // 6 is missing
        await _set.RouteAsync(Publication("room.gap", 8)); // Before the result: the recovery brings it.

        var commands = sink.Commands.Skip(1).ToList();
        Assert.Equal(["unsubscribe", "subscribe"], commands.Select(c => (string)c["type"]!));
        Assert.Equal("""{"offset":5,"epoch":"e"}""", commands[1]["since"]!.ToJsonString());
        await AnswerAsync(sink, """{"channel":"room.gap","offset":8,"epoch":"e","recovered":true,"publications":[{"type":"message","channel":"room.gap","data":6,"offset":6,"epoch":"e","ts":1},{"type":"message","channel":"room.gap","data":7,"offset":7,"epoch":"e","ts":1},{"type":"message","channel":"room.gap","data":8,"offset":8,"epoch":"e","ts":1}]}""");
        await _set.RouteAsync(Publication("room.gap", 9));
        Assert.Equal([5L, 6, 7, 8, 9], await Drain(subscription, 5));
    }

    [Fact]
    public async Task A_server_send_to_a_subscribed_channel_is_delivered_outside_the_stream()
    {
        var sink = new RecordingSink();
        _set.OnConnected(sink);
        var subscription = Subscription("user.ada");
        _set.Add(subscription);
        await AnswerAsync(sink, """{"channel":"user.ada","offset":4,"epoch":"e"}""");

        await _set.RouteAsync(Message("""{"type":"message","channel":"user.ada","data":0,"ts":1}""").Publication!);
        await _set.RouteAsync(Publication("user.ada", 5));

        Assert.Single(sink.Commands); // No resubscribe: offset 0 is not part of the stream.
        Assert.Equal(new StreamPosition(5, "e"), subscription.Position);
        Assert.Equal([0L, 5], await Drain(subscription, 2));
    }

    [Fact]
    public async Task A_publication_goes_to_its_channel_and_the_matching_patterns_only()
    {
        var sink = new RecordingSink();
        _set.OnConnected(sink);
        var exact = Subscription("orders.eu");
        var star = Subscription("orders.*");
        var deep = Subscription("orders.>");
        var other = Subscription("users.*");
        foreach (var s in new[] { exact, star, deep, other })
        {
            _set.Add(s);
            await AnswerAsync(sink, $$"""{"channel":"{{s.Channel}}"}""");
        }

        await _set.RouteAsync(Publication("orders.eu", 1));
        await _set.RouteAsync(Publication("orders.eu.north", 2));
        Assert.Equal([1L], await Drain(exact, 1));
        Assert.Equal([1L], await Drain(star, 1));
        Assert.Equal([1L, 2], await Drain(deep, 2));
        Assert.False(other.Reader.TryRead(out _));
        Assert.False(star.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_refused_subscribe_ends_the_subscription_with_the_error_and_frees_the_channel()
    {
        var sink = new RecordingSink();
        _set.OnConnected(sink);
        var subscription = Subscription("secret.a");
        _set.Add(subscription);
        var id = (long)sink.Commands.Single()["id"]!;
        await _commands.Take(id)!.OnResult!(Message($$$"""{"type":"result","id":{{{id}}},"success":false,"error":{"code":"forbidden","message":"no"}}"""));

        var error = await Assert.ThrowsAsync<SwitchboardCommandException>(() => subscription.FirstSubscribed.Task.OrTimeout());
        Assert.Equal("forbidden", error.Code);
        _set.Add(Subscription("secret.a")); // The channel is free again.
        Assert.Throws<InvalidOperationException>(() => _set.Add(Subscription("secret.a")));
    }

    [Fact]
    public void Removing_tells_the_server_only_while_connected()
    {
        var subscription = Subscription("room.b");
        _set.Add(subscription);
        _set.Remove(subscription);
        var sink = new RecordingSink();
        _set.OnConnected(sink);
        Assert.Empty(sink.Frames);

        var again = Subscription("room.b");
        _set.Add(again);
        _set.Remove(again);
        Assert.Equal(["subscribe", "unsubscribe"], sink.Commands.Select(c => (string)c["type"]!));
        Assert.True(again.Reader.Completion.IsCompleted);
    }

    private static async Task<List<long>> Drain(TypedSubscription<JsonElement> subscription, int count)
    {
        var offsets = new List<long>();
        while (offsets.Count < count)
        {
            offsets.Add((await subscription.Reader.ReadAsync().AsTask().OrTimeout()).Offset);
        }

        return offsets;
    }
}
