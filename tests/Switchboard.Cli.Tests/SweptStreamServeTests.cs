using System.Diagnostics;
using System.Text.Json.Nodes;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Testing;
using Xunit.Abstractions;

namespace Switchboard.Cli.Tests;

/// <summary>
/// Issue 20, part 1, exactly as found: <c>switchboard serve</c> with its defaults, a client subscribed to a channel
/// nobody has published to, 36 s of real time (the memory broker sweeps the empty stream every 30 s), then one publish
/// from a second connection. Before the fix the node's heal loop took a core until the history TTL (10 minutes), wrote
/// event 407 millions of times, held the publish, and the subscriber never got the message.
/// </summary>
public sealed class SweptStreamServeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serve_with_its_defaults_delivers_a_publication_to_a_channel_whose_empty_stream_was_swept()
    {
        using var serve = await ServeProcess.StartAsync();
        await using var subscriber = await SwitchboardTestClient.ConnectAsync(serve.WebSocketUri);
        subscriber.AnswerPings = true;
        var subscribed = await subscriber.SubscribeAsync("fresh.x");
        Assert.Equal(0, subscribed!["offset"]!.GetValue<long>());
        var linesBefore = serve.Process.Lines.Count;

        await Task.Delay(TimeSpan.FromSeconds(36)); // The scenario is time passing: one sweep of the broker and a ping.

        await using var publisher = await SwitchboardTestClient.ConnectAsync(serve.WebSocketUri);
        var clock = Stopwatch.StartNew();
        var published = await publisher.PublishAsync("fresh.x", new JsonObject { ["n"] = 1 });
        var message = await subscriber.ExpectMessageAsync("fresh.x", TimeSpan.FromSeconds(20));
        clock.Stop();
        Assert.Equal(1, published!["offset"]!.GetValue<long>());
        Assert.NotEqual(subscribed["epoch"]!.GetValue<string>(), message["epoch"]!.GetValue<string>()); // It was swept.
        Assert.Equal(1, message["offset"]!.GetValue<long>());
        Assert.Equal(1, message["data"]!["n"]!.GetValue<int>());
        Assert.True(subscriber.IsOpen && publisher.IsOpen);
        output.WriteLine($"published and delivered in {clock.ElapsedMilliseconds} ms");

        // One ordinary event: no heal, nothing logged for it. (The time is reported, not asserted: the machine is shared.)
        var lines = serve.Process.Lines.Skip(linesBefore).ToList();
        Assert.DoesNotContain(lines, l => l.Contains("missed publications", StringComparison.Ordinal));
        Assert.True(lines.Count < 20, $"{lines.Count} log lines after the subscribe (delivered in {clock.ElapsedMilliseconds} ms):\n" + string.Join('\n', lines.Take(20)));
    }
}
