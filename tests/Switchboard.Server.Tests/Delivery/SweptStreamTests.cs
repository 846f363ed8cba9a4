using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Brokers;
using Switchboard.Server.Tests.Infrastructure;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>
/// Issue 20, part 1: a client subscribes to a channel nobody has published to, the memory broker's sweep forgets the
/// empty stream, and a later publish starts a new epoch. That is one ordinary event: the subscriber gets the
/// publication (offset 1 of the new epoch follows offset 0 of any epoch), the publisher gets its result, and the node
/// writes no heal log. Before the fix the node's heal loop spun until the history TTL, blocking the publish.
/// </summary>
public sealed class SweptStreamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_publication_after_the_sweep_forgot_an_empty_subscribed_stream_reaches_the_subscriber_in_the_new_epoch()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new LogCapture();
        await using var server = await TestServer.StartAsync(configureServices: log.Attach, timeProvider: time);
        await using var subscriber = await server.ConnectAsync();
        subscriber.AnswerPings = true;
        var subscribed = await subscriber.SubscribeAsync("fresh.x");
        Assert.Equal(0, subscribed!["offset"]!.GetValue<long>());
        var oldEpoch = subscribed["epoch"]!.GetValue<string>();

        // 36 s of silence on the channel, the subscriber's connection kept alive (a round trip at 20 s, seen by the
        // server before the clock moves on). The broker sweeps every 30 s.
        time.Advance(TimeSpan.FromSeconds(20));
        await subscriber.OkAsync(new JsonObject { ["type"] = "rpc", ["method"] = "echo", ["params"] = 1 });
        time.Advance(TimeSpan.FromSeconds(16));

        await using var publisher = await server.ConnectAsync();
        var published = await publisher.PublishAsync("fresh.x", new JsonObject { ["n"] = 1 }); // Times out if the publish is held.
        Assert.Equal(1, published!["offset"]!.GetValue<long>());

        var message = await subscriber.ExpectMessageAsync("fresh.x", Patience);
        Assert.Equal(1, message["offset"]!.GetValue<long>());
        Assert.NotEqual(oldEpoch, message["epoch"]!.GetValue<string>()); // The sweep did forget the stream.
        Assert.Equal(1, message["data"]!["n"]!.GetValue<int>());

        // Nothing else came on the channel (no notice, no repeat): the next thing there is the next publication.
        await publisher.PublishAsync("fresh.x", new JsonObject { ["n"] = 2 });
        var next = await subscriber.ReceiveAsync(m => m["channel"]?.GetValue<string>() == "fresh.x", Patience);
        Assert.Equal("message", next["type"]!.GetValue<string>());
        Assert.Equal(2, next["offset"]!.GetValue<long>());
        Assert.True(publisher.IsOpen && subscriber.IsOpen);
        Assert.True(log.Count(407) + log.Count(408) == 0, log.Recent); // Nothing to heal, nothing to tell.
        Assert.True(log.Written.Count < 20, log.Recent);
    }

    [Fact]
    public async Task With_real_time_and_a_short_sweep_the_publication_arrives_and_the_log_stays_quiet()
    {
        using var broker = new MemoryBroker(TimeProvider.System, TimeSpan.FromMilliseconds(100));
        var log = new LogCapture();
        await using var server = await TestServer.StartAsync(configureServices: services =>
        {
            services.AddSingleton<IBroker>(broker);
            log.Attach(services);
        });
        await using var subscriber = await server.ConnectAsync();
        await using var publisher = await server.ConnectAsync();
        var epochs = new HashSet<string>();
        for (var round = 1; round <= 3; round++)
        {
            var channel = $"fresh.real{round}";
            var subscribed = await subscriber.SubscribeAsync(channel);
            await Task.Delay(TimeSpan.FromSeconds(1)); // The scenario is time passing: about ten sweeps.

            var published = await publisher.PublishAsync(channel, new JsonObject { ["n"] = round });
            var message = await subscriber.ExpectMessageAsync(channel, Patience);
            Assert.Equal(1, published!["offset"]!.GetValue<long>());
            Assert.NotEqual(subscribed!["epoch"]!.GetValue<string>(), message["epoch"]!.GetValue<string>()); // Swept.
            Assert.Equal(1, message["offset"]!.GetValue<long>());
            Assert.Equal(round, message["data"]!["n"]!.GetValue<int>());
            epochs.Add(message["epoch"]!.GetValue<string>());
        }

        Assert.Equal(3, epochs.Count);
        Assert.True(log.Count(407) + log.Count(408) == 0, log.Recent);
        Assert.True(log.Written.Count < 20, log.Recent);
    }
}
