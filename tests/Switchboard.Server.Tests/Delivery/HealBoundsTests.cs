using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Brokers;
using Switchboard.Server.Tests.Infrastructure;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>
/// Issue 20, part 1: a heal can never become a loop. Against a broker that misbehaves (<see cref="MisbehavingBroker"/>)
/// a heal reads history a bounded number of times, waits between failed reads on the node's clock, never holds the
/// publish that started it, ends in one gap notice where it cannot fill the hole, and logs it once.
/// </summary>
public sealed class HealBoundsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_hole_that_history_claims_to_cover_but_does_not_ends_in_one_gap_notice_instead_of_a_loop()
    {
        await using var rig = await HoleyChannel.StartAsync(TimeProvider.System);
        var (broker, log, subscriber, publisher) = (rig.Broker, rig.Log, rig.Subscriber, rig.Publisher);
        broker.LoseFromHistory = true;

        await publisher.PublishAsync("holey.x", new JsonObject { ["n"] = 2 }); // Lost on its way and from history.
        var reads = broker.HistoryReads;
        await publisher.PublishAsync("holey.x", new JsonObject { ["n"] = 3 }); // Answered: the heal does not hold it.

        var notice = await subscriber.ReceiveAsync(m => m["channel"]?.GetValue<string>() == "holey.x", Patience);
        Assert.Equal("unsubscribe", notice["type"]!.GetValue<string>());
        Assert.Equal("insufficient_state", notice["reason"]!.GetValue<string>());
        await publisher.PublishAsync("holey.x", new JsonObject { ["n"] = 4 });
        await publisher.RpcAsync("echo", 1);
        Assert.InRange(broker.HistoryReads - reads, 1, 3); // One read per round, a few rounds at most.
        Assert.True(log.Count(430) == 1, log.Recent);
        Assert.True(log.Written.Count < 10, log.Recent);
        Assert.False(subscriber.TryReceive(out var more) && more!["channel"]?.GetValue<string>() == "holey.x", more?.ToJsonString());
    }

    [Fact]
    public async Task A_heal_whose_history_reads_fail_retries_a_few_times_on_the_nodes_clock_then_sends_one_gap_notice()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await HoleyChannel.StartAsync(time);
        var (broker, log, subscriber, publisher) = (rig.Broker, rig.Log, rig.Subscriber, rig.Publisher);
        broker.FailHistory = true;
        var reads = broker.HistoryReads;
        await publisher.PublishAsync("holey.x", new JsonObject { ["n"] = 2 }); // Lost on its way.
        await publisher.PublishAsync("holey.x", new JsonObject { ["n"] = 3 }); // Answered at once: the heal runs aside.

        // The node's clock runs a minute, a second at a time; the heal's waits are on it, so its reads follow the clock.
        JsonObject? notice = null;
        for (var second = 0; second < 60 && notice is null; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            try
            {
                notice = await subscriber.ReceiveAsync(m => m["channel"]?.GetValue<string>() == "holey.x", TimeSpan.FromMilliseconds(200));
            }
            catch (TimeoutException)
            {
                // Still retrying.
            }
        }

        Assert.NotNull(notice);
        Assert.Equal("unsubscribe", notice["type"]!.GetValue<string>());
        Assert.InRange(broker.HistoryReads - reads, 2, 10); // Tried again, a bounded number of times.
        Assert.True(log.Count(409) == 1, log.Recent);
        Assert.True(publisher.IsOpen && subscriber.IsOpen);
    }

    [Fact]
    public async Task A_heal_whose_history_comes_back_after_a_failed_read_delivers_the_missed_publication_in_order()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await HoleyChannel.StartAsync(time);
        var (broker, log, subscriber, publisher) = (rig.Broker, rig.Log, rig.Subscriber, rig.Publisher);

        broker.FailHistory = true;
        await publisher.PublishAsync("holey.x", new JsonObject { ["n"] = 2 });
        await publisher.PublishAsync("holey.x", new JsonObject { ["n"] = 3 });
        await broker.FailedRead.WaitAsync(Patience);

        broker.FailHistory = false;

        // The heal puts its wait (at most 200 ms after the first failed read) on the node's clock just after that read,
        // so one advance could come before it: the clock runs on a second at a time until the missed publications
        // arrive. Each second gets seconds of real time: the node's clock also drives pings (every 25 s, 10 s to answer),
        // and a loaded machine that ran this clock faster than the clients answer would close them (failed once so).
        var messages = new List<JsonObject>();
        for (var second = 0; second < 15 && messages.Count < 2; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            try
            {
                messages.Add(await subscriber.ReceiveTypeAsync("message", TimeSpan.FromSeconds(3)));
            }
            catch (TimeoutException)
            {
                // The wait is not over yet.
            }
        }

        Assert.Equal([2L, 3L], messages.Select(m => m["offset"]!.GetValue<long>()));
        Assert.True(log.Count(407) == 1, log.Recent);
    }

    /// <summary>A node on a <see cref="MisbehavingBroker"/> that loses offset 2, one subscriber and one publisher on <c>holey.x</c>, past offset 1.</summary>
    private sealed class HoleyChannel : IAsyncDisposable
    {
        private HoleyChannel(MisbehavingBroker broker, LogCapture log, TestServer server, TestClient subscriber, TestClient publisher)
        {
            (Broker, Log, Server, Subscriber, Publisher) = (broker, log, server, subscriber, publisher);
        }

        public MisbehavingBroker Broker { get; }

        public LogCapture Log { get; }

        public TestServer Server { get; }

        public TestClient Subscriber { get; }

        public TestClient Publisher { get; }

        public static async Task<HoleyChannel> StartAsync(TimeProvider time)
        {
            var broker = new MisbehavingBroker(time) { LoseOffset = 2 };
            var log = new LogCapture();
            var server = await TestServer.StartAsync(
                configureServices: services =>
                {
                    services.AddSingleton<IBroker>(broker);
                    log.Attach(services);
                },
                timeProvider: time);
            var subscriber = await server.ConnectAsync();
            var publisher = await server.ConnectAsync();
            subscriber.AnswerPings = true;
            publisher.AnswerPings = true;
            await subscriber.SubscribeAsync("holey.x");
            await publisher.PublishAsync("holey.x", new JsonObject { ["n"] = 1 });
            Assert.Equal(1, (await subscriber.ExpectMessageAsync("holey.x", Patience))["offset"]!.GetValue<long>());
            return new HoleyChannel(broker, log, server, subscriber, publisher);
        }

        public async ValueTask DisposeAsync()
        {
            await Subscriber.DisposeAsync();
            await Publisher.DisposeAsync();
            await Server.DisposeAsync();
            Broker.Dispose();
        }
    }
}
