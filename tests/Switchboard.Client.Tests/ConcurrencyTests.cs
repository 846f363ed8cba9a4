using System.Text.Json;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests;

/// <summary>The public API is used from many threads at once.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Thirty_two_threads_publishing_and_subscribing_at_once_lose_and_duplicate_nothing()
    {
        const int Threads = 32;
        const int PerThread = 100;
        await using var server = await ServerHost.StartAsync(o => o.HistorySize = 2 * PerThread);
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await client.ConnectAsync().OrTimeout();

        var collectors = Enumerable.Range(0, Threads).Select(_ => new Collector()).ToArray();
        var errors = new List<Exception>();
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();

                // Each thread subscribes to its own channel (from the start of history, so that nothing published
                // before its subscription is live is missed) while it and the others publish to their neighbours.
                var subscribe = client.SubscribeAsync($"load.{i}", collectors[i].Handler, new SubscribeOptions { Since = new StreamPosition(0, "") });
                var target = $"load.{(i + 1) % Threads}";
                var publishes = new List<Task<PublishResult>>();
                for (var n = 1; n <= PerThread; n++)
                {
                    publishes.Add(client.PublishAsync(target, JsonDocument.Parse($"{{\"from\":{i},\"seq\":{n}}}").RootElement));
                }

                subscribe.GetAwaiter().GetResult();
                Task.WhenAll(publishes).GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                lock (errors)
                {
                    errors.Add(ex);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        await Task.Run(() => threads.ForEach(t => Assert.True(t.Join(Wait.Default))));
        Assert.Empty(errors);

        for (var i = 0; i < Threads; i++)
        {
            var items = await collectors[i].WaitForAsync(PerThread);
            Assert.Equal(Enumerable.Range(1, PerThread), Publish.Seqs(items));
            var from = (i + Threads - 1) % Threads;
            Assert.All(items, p => Assert.Equal(from, p.Data.GetProperty("from").GetInt32()));
            Assert.Equal(Enumerable.Range(1, PerThread).Select(n => (long)n), items.Select(p => p.Offset));
        }
    }
}
