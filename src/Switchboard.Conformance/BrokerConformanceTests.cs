using System.Text;
using Switchboard.Brokers;
using Switchboard.Protocol;

namespace Switchboard.Conformance;

/// <summary>
/// What every <see cref="IBroker"/> must do (its doc comment's guarantees). Each broker's tests derive from this class
/// with their own <see cref="CreateBroker"/> (the memory broker in Switchboard.Server.Tests, Redis in
/// Switchboard.Redis.Tests): one suite, no copies. A broker author references this package and xunit, nothing of
/// ASP.NET Core.
/// </summary>
public abstract class BrokerConformanceTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly HistoryPolicy Keep100 = new(100, TimeSpan.FromMinutes(5));
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    private readonly List<IBroker> _brokers = [];

    /// <summary>A new, empty broker (sharing nothing with brokers of other tests).</summary>
    protected abstract IBroker CreateBroker();

    /// <summary>Loses every stream of <paramref name="broker"/>, as a storage reset would.</summary>
    protected abstract Task ResetAsync(IBroker broker);

    /// <summary>Lets <paramref name="time"/> pass for the broker's clock.</summary>
    protected abstract Task AdvanceTimeAsync(TimeSpan time);

    /// <summary>
    /// Whether the handler gets only the publications of subscribed channels and patterns. The memory broker hands
    /// every publication to its node, whose registry finds no subscriber for the rest: a capability, not a must.
    /// </summary>
    protected virtual bool DeliversOnlySubscribed => true;

    /// <summary>A short history time to live for expiry tests; long enough for a real store's round trips.</summary>
    protected virtual TimeSpan ShortTtl => TimeSpan.FromMilliseconds(400);

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Disposes every broker the tests created.</summary>
    public virtual async Task DisposeAsync()
    {
        foreach (var broker in _brokers)
        {
            switch (broker)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private async Task<(IBroker Broker, RecordingHandler Handler)> StartAsync()
    {
        var broker = CreateBroker();
        _brokers.Add(broker);
        var handler = new RecordingHandler();
        await broker.StartAsync(handler, None);
        return (broker, handler);
    }

    private static PublishRequest Request(string channel, int n, string? key = null, HistoryPolicy? history = null, TimeSpan? window = null) =>
        new(channel, Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"), new PublisherInfo("c1", "alice"), key, history ?? Keep100, window ?? Window);

    private static Task<PublishResult> PublishAsync(IBroker broker, string channel, int n, string? key = null, HistoryPolicy? history = null, TimeSpan? window = null) =>
        broker.PublishAsync(Request(channel, n, key, history, window), None).AsTask();

    private static string DataOf(Publication publication) => Encoding.UTF8.GetString(publication.Data.Span);

    [Fact]
    public async Task Offsets_start_at_one_and_increase_by_one_within_an_epoch()
    {
        var (broker, _) = await StartAsync();
        var results = new List<PublishResult>();
        for (var i = 1; i <= 5; i++)
        {
            results.Add(await PublishAsync(broker, "off.a", i));
        }

        Assert.Equal([1L, 2, 3, 4, 5], results.Select(r => r.Position.Offset));
        Assert.Single(results.Select(r => r.Position.Epoch).Distinct());
        Assert.All(results, r => Assert.False(r.Duplicate));
        var history = await broker.GetHistoryAsync("off.a", default, None);
        Assert.Equal(new StreamPosition(5, results[0].Position.Epoch), history.Position);
        Assert.Equal([1L, 2, 3, 4, 5], history.Publications.Select(p => p.Offset));
        Assert.Equal("{\"n\":3}", DataOf(history.Publications[2]));
        Assert.Equal(new PublisherInfo("c1", "alice"), history.Publications[2].From);
        Assert.True(history.Publications[2].Timestamp > 0);
    }

    [Fact]
    public async Task Concurrent_publishes_get_consecutive_offsets_and_reach_the_handler_in_offset_order()
    {
        var (broker, handler) = await StartAsync();
        await broker.SubscribeAsync(ChannelPattern.Parse("ord.a"), None);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < 25; i++)
            {
                mine.Add((await PublishAsync(broker, "ord.a", (t * 100) + i)).Position.Offset);
            }

            return mine;
        })));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), results.SelectMany(r => r).Order());
        Assert.All(results, mine => Assert.Equal(mine.Order(), mine)); // One publisher's offsets follow its order.
        var received = await handler.WaitForAsync(p => p.Channel == "ord.a", 100);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), received.Select(p => p.Offset));
    }

    [Fact]
    public async Task Publishes_made_without_waiting_for_each_other_take_offsets_in_call_order()
    {
        // What a pipelining connection does: each publish is handed over before the previous one has completed.
        var (broker, handler) = await StartAsync();
        await broker.SubscribeAsync(ChannelPattern.Parse("pipe.a"), None);
        var pending = Enumerable.Range(1, 200).Select(i => PublishAsync(broker, "pipe.a", i)).ToList();
        var results = await Task.WhenAll(pending);

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Select(r => r.Position.Offset));
        var history = await broker.GetHistoryAsync("pipe.a", default, None); // Keeps the newest 100.
        Assert.Equal(Enumerable.Range(101, 100).Select(i => $"{{\"n\":{i}}}"), history.Publications.Select(DataOf));
        var received = await handler.WaitForAsync(p => p.Channel == "pipe.a", 200);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => $"{{\"n\":{i}}}"), received.Select(DataOf));
    }

    [Fact]
    public async Task The_handler_gets_subscribed_channels_and_patterns()
    {
        var (broker, handler) = await StartAsync();
        await broker.SubscribeAsync(ChannelPattern.Parse("sub.a"), None);
        await broker.SubscribeAsync(ChannelPattern.Parse("sub.*"), None); // Overlaps sub.a: still once.
        await broker.SubscribeAsync(ChannelPattern.Parse("deep.>"), None);

        await PublishAsync(broker, "sub.a", 1);
        await PublishAsync(broker, "other.a", 2);
        await PublishAsync(broker, "sub.b", 3);
        await PublishAsync(broker, "sub.b.c", 4); // '*' is one segment only.
        await PublishAsync(broker, "deep.x.y", 5);
        await PublishAsync(broker, "deepx.y", 6);
        await PublishAsync(broker, "deep", 7); // '>' needs at least one more segment.
        await PublishAsync(broker, "sub.a", 8);

        // Each awaited on its own: an exact subscription's messages may overtake a pattern's (see below).
        await handler.WaitForAsync(p => DataOf(p) == "{\"n\":3}");
        await handler.WaitForAsync(p => DataOf(p) == "{\"n\":5}");
        var received = await handler.WaitForAsync(p => DataOf(p) == "{\"n\":8}");
        // A broker may hand a publication over once per matching subscription (Redis does); the node drops repeats
        // by offset (StreamContinuity), so what counts here is that each arrives, in order.
        var seen = received.Select(p => (p.Channel, DataOf(p))).Distinct().ToList();
        Assert.Equal(1, seen.Count(s => s == ("sub.a", "{\"n\":1}")));
        Assert.Equal(1, seen.Count(s => s == ("sub.b", "{\"n\":3}")));
        Assert.Equal(1, seen.Count(s => s == ("deep.x.y", "{\"n\":5}")));
        // Order is promised per channel only: Redis hands over an exact subscription's and a pattern's messages through
        // separate queues, so sub.a's 8 may come before sub.b's 3 (seen once in a clean run).
        Assert.Equal(["{\"n\":1}", "{\"n\":8}"], seen.Where(s => s.Channel == "sub.a").Select(s => s.Item2));
        if (DeliversOnlySubscribed)
        {
            Assert.Equal(
                [("deep.x.y", "{\"n\":5}"), ("sub.a", "{\"n\":1}"), ("sub.a", "{\"n\":8}"), ("sub.b", "{\"n\":3}")],
                seen.OrderBy(s => s.Channel, StringComparer.Ordinal).ThenBy(s => s.Item2, StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task After_unsubscribe_the_handler_gets_nothing_more_of_the_channel()
    {
        var (broker, handler) = await StartAsync();
        var channel = ChannelPattern.Parse("unsub.a");
        await broker.SubscribeAsync(channel, None);
        await broker.SubscribeAsync(ChannelPattern.Parse("unsub.marker"), None);
        await PublishAsync(broker, "unsub.a", 1);
        await handler.WaitForAsync(p => p.Channel == "unsub.a");
        await broker.UnsubscribeAsync(channel, None);
        await PublishAsync(broker, "unsub.a", 2);
        await PublishAsync(broker, "unsub.marker", 3);

        var received = await handler.WaitForAsync(p => p.Channel == "unsub.marker");
        if (DeliversOnlySubscribed)
        {
            Assert.DoesNotContain(received, p => p.Channel == "unsub.a" && p.Offset == 2);
        }
    }

    [Fact]
    public async Task History_keeps_the_newest_size_publications_and_since_is_complete_only_when_all_are_held()
    {
        var (broker, _) = await StartAsync();
        var policy = new HistoryPolicy(3, TimeSpan.FromMinutes(5));
        string epoch = "";
        for (var i = 1; i <= 5; i++)
        {
            epoch = (await PublishAsync(broker, "hist.a", i, history: policy)).Position.Epoch;
        }

        var all = await broker.GetHistoryAsync("hist.a", default, None);
        Assert.Equal([3L, 4, 5], all.Publications.Select(p => p.Offset));
        Assert.True(all.Complete);

        var newest = await broker.GetHistoryAsync("hist.a", new HistoryQuery(null, 2), None);
        Assert.Equal([4L, 5], newest.Publications.Select(p => p.Offset));
        Assert.Empty((await broker.GetHistoryAsync("hist.a", new HistoryQuery(null, 0), None)).Publications);

        var fromTwo = await broker.GetHistoryAsync("hist.a", new HistoryQuery(new StreamPosition(2, epoch), null), None);
        Assert.True(fromTwo.Complete);
        Assert.Equal([3L, 4, 5], fromTwo.Publications.Select(p => p.Offset));

        var fromOne = await broker.GetHistoryAsync("hist.a", new HistoryQuery(new StreamPosition(1, epoch), null), None);
        Assert.False(fromOne.Complete); // Offset 2 was trimmed.
        Assert.Empty(fromOne.Publications);

        // With since, a limit pages forward: the oldest after it first.
        var fromTwoPage = await broker.GetHistoryAsync("hist.a", new HistoryQuery(new StreamPosition(2, epoch), 1), None);
        Assert.True(fromTwoPage.Complete);
        Assert.Equal([3L], fromTwoPage.Publications.Select(p => p.Offset));
        var nextPage = await broker.GetHistoryAsync("hist.a", new HistoryQuery(new StreamPosition(3, epoch), 5), None);
        Assert.Equal([4L, 5], nextPage.Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task Since_rules_for_current_future_foreign_and_zero_positions()
    {
        var (broker, _) = await StartAsync();
        var epoch = "";
        for (var i = 1; i <= 3; i++)
        {
            epoch = (await PublishAsync(broker, "since.a", i)).Position.Epoch;
        }

        var current = await broker.GetHistoryAsync("since.a", new HistoryQuery(new StreamPosition(3, epoch), null), None);
        Assert.True(current.Complete);
        Assert.Empty(current.Publications);
        Assert.Equal(new StreamPosition(3, epoch), current.Position);

        var future = await broker.GetHistoryAsync("since.a", new HistoryQuery(new StreamPosition(4, epoch), null), None);
        Assert.False(future.Complete);

        var foreign = await broker.GetHistoryAsync("since.a", new HistoryQuery(new StreamPosition(1, "otherepo"), null), None);
        Assert.False(foreign.Complete);
        Assert.Empty(foreign.Publications);

        // A client at offset 0 has seen nothing of any epoch: a stream held from its first publication is complete.
        var zero = await broker.GetHistoryAsync("since.a", new HistoryQuery(new StreamPosition(0, "otherepo"), null), None);
        Assert.True(zero.Complete);
        Assert.Equal([1L, 2, 3], zero.Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task An_empty_channel_has_offset_zero_and_keeps_its_epoch_for_the_first_publish()
    {
        var (broker, _) = await StartAsync();
        var first = await broker.GetHistoryAsync("empty.a", default, None);
        var second = await broker.GetHistoryAsync("empty.a", default, None);
        Assert.Equal(0, first.Position.Offset);
        Assert.Empty(first.Publications);
        Assert.Equal(first.Position, second.Position);
        var published = await PublishAsync(broker, "empty.a", 1);
        Assert.Equal(new StreamPosition(1, first.Position.Epoch), published.Position);
        var since = await broker.GetHistoryAsync("empty.a", new HistoryQuery(first.Position, null), None);
        Assert.True(since.Complete);
        Assert.Equal([1L], since.Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task History_of_size_zero_keeps_nothing_while_offsets_still_count()
    {
        var (broker, _) = await StartAsync();
        var none = new HistoryPolicy(0, TimeSpan.FromMinutes(5));
        await PublishAsync(broker, "nohist.a", 1, history: none);
        var second = await PublishAsync(broker, "nohist.a", 2, history: none);
        Assert.Equal(2, second.Position.Offset);
        var history = await broker.GetHistoryAsync("nohist.a", default, None);
        Assert.Empty(history.Publications);
        Assert.Equal(second.Position, history.Position);
        Assert.False((await broker.GetHistoryAsync("nohist.a", new HistoryQuery(new StreamPosition(1, second.Position.Epoch), null), None)).Complete);
    }

    [Fact]
    public async Task Publications_leave_history_after_its_time_to_live()
    {
        var (broker, _) = await StartAsync();
        var policy = new HistoryPolicy(100, ShortTtl);
        await PublishAsync(broker, "ttl.a", 1, history: policy);
        await PublishAsync(broker, "ttl.a", 2, history: policy);
        await AdvanceTimeAsync(ShortTtl + TimeSpan.FromMilliseconds(200));
        var third = await PublishAsync(broker, "ttl.a", 3, history: policy);
        Assert.Equal(3, third.Position.Offset); // The stream outlives its history: same epoch, next offset.

        var history = await broker.GetHistoryAsync("ttl.a", default, None);
        Assert.Equal([3L], history.Publications.Select(p => p.Offset));
        Assert.False((await broker.GetHistoryAsync("ttl.a", new HistoryQuery(new StreamPosition(1, third.Position.Epoch), null), None)).Complete);
        var fromTwo = await broker.GetHistoryAsync("ttl.a", new HistoryQuery(new StreamPosition(2, third.Position.Epoch), null), None);
        Assert.True(fromTwo.Complete);
        Assert.Equal([3L], fromTwo.Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task A_repeated_idempotency_key_returns_the_first_position_and_publishes_nothing()
    {
        var (broker, handler) = await StartAsync();
        await broker.SubscribeAsync(ChannelPattern.Parse("idem.a"), None);
        var first = await PublishAsync(broker, "idem.a", 1, key: "k1");
        var again = await PublishAsync(broker, "idem.a", 2, key: "k1");
        var other = await PublishAsync(broker, "idem.a", 3, key: "k2");
        var elsewhere = await PublishAsync(broker, "idem.b", 4, key: "k1"); // Keys are per channel.

        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(first.Position, again.Position);
        Assert.Equal(2, other.Position.Offset);
        Assert.False(elsewhere.Duplicate);
        Assert.Equal(1, elsewhere.Position.Offset);
        var history = await broker.GetHistoryAsync("idem.a", default, None);
        Assert.Equal(["{\"n\":1}", "{\"n\":3}"], history.Publications.Select(DataOf));
        var received = await handler.WaitForAsync(p => p.Channel == "idem.a" && p.Offset == 2);
        Assert.Equal([1L, 2], received.Where(p => p.Channel == "idem.a").Select(p => p.Offset));
    }

    [Fact]
    public async Task An_idempotency_key_is_forgotten_after_its_window()
    {
        var (broker, _) = await StartAsync();
        var window = ShortTtl;
        var first = await PublishAsync(broker, "idemw.a", 1, key: "k", window: window);
        await AdvanceTimeAsync(window + TimeSpan.FromMilliseconds(200));
        var later = await PublishAsync(broker, "idemw.a", 2, key: "k", window: window);
        Assert.False(later.Duplicate);
        Assert.Equal(first.Position.Offset + 1, later.Position.Offset);
    }

    [Fact]
    public async Task Losing_the_streams_starts_a_new_epoch_and_old_positions_do_not_recover()
    {
        var (broker, _) = await StartAsync();
        await PublishAsync(broker, "reset.a", 1);
        var before = await PublishAsync(broker, "reset.a", 2);
        await ResetAsync(broker);
        var after = await PublishAsync(broker, "reset.a", 3);

        Assert.Equal(1, after.Position.Offset);
        Assert.NotEqual(before.Position.Epoch, after.Position.Epoch);
        var recovery = await broker.GetHistoryAsync("reset.a", new HistoryQuery(before.Position, null), None);
        Assert.False(recovery.Complete);
        Assert.Empty(recovery.Publications);
        Assert.Equal(after.Position, recovery.Position);
        Assert.Equal(["{\"n\":3}"], (await broker.GetHistoryAsync("reset.a", default, None)).Publications.Select(DataOf));
    }

    /// <summary>Records what the broker hands to its node, and lets a test wait for it.</summary>
    private sealed class RecordingHandler : IBrokerEventHandler
    {
        private readonly List<Publication> _received = [];
        private readonly SemaphoreSlim _arrived = new(0);

        public void HandlePublication(Publication publication)
        {
            lock (_received)
            {
                _received.Add(publication);
            }

            _arrived.Release();
        }

        /// <summary>Waits until <paramref name="count"/> received publications match; returns all received so far.</summary>
        public async Task<List<Publication>> WaitForAsync(Func<Publication, bool> match, int count = 1)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                lock (_received)
                {
                    if (_received.Count(match) >= count)
                    {
                        return [.. _received];
                    }
                }

                await _arrived.WaitAsync(timeout.Token);
            }
        }
    }
}
