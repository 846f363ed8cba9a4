using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Brokers;
using Switchboard.Protocol;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Tests.Brokers;

/// <summary>
/// <see cref="MeasuredBroker"/> records each broker round trip on <c>switchboard.broker.operations</c>: by operation,
/// with <c>error.type</c> when the broker failed (synchronously or not), not at all when it was cancelled, and without
/// allocating on the publish path.
/// </summary>
public sealed class MeasuredBrokerTests : IDisposable
{
    private static readonly PublishRequest Request = new("room", "1"u8.ToArray(), null, null, new HistoryPolicy(0, TimeSpan.Zero), TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly SwitchboardMetrics _metrics;
    private readonly MeterListener _listener = new();
    private readonly List<(string Operation, string? Error)> _operations = [];

    public MeasuredBrokerTests()
    {
        _metrics = new SwitchboardMetrics(_services.GetRequiredService<IMeterFactory>());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _metrics.Meter) && instrument.Name == "switchboard.broker.operations")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? operation = null, error = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "switchboard.broker.operation")
                {
                    operation = (string?)tag.Value;
                }
                else if (tag.Key == "error.type")
                {
                    error = (string?)tag.Value;
                }
            }

            lock (_operations)
            {
                _operations.Add((operation!, error));
            }
        });
        _listener.Start();
    }

    [Fact]
    public async Task Each_operation_is_counted_by_name_when_it_succeeds()
    {
        using var memory = new MemoryBroker();
        var broker = new MeasuredBroker(memory, _metrics);
        await broker.StartAsync(new IgnoredPublications(), CancellationToken.None);
        var channel = ChannelPattern.Parse("room");

        await broker.SubscribeAsync(channel, CancellationToken.None);
        var published = await broker.PublishAsync(Request, CancellationToken.None);
        var history = await broker.GetHistoryAsync("room", new HistoryQuery(null, null), CancellationToken.None);
        await broker.UnsubscribeAsync(channel, CancellationToken.None);

        Assert.Equal(published.Position, history.Position); // Passed through, results intact.
        Assert.Equal([("subscribe", null), ("publish", null), ("history", null), ("unsubscribe", null)], Operations());
    }

    [Fact]
    public async Task A_failure_is_counted_with_its_type_and_rethrown_and_a_cancellation_is_not_counted()
    {
        var broker = new MeasuredBroker(new FailingBroker(), _metrics);
        var channel = ChannelPattern.Parse("room");

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await broker.PublishAsync(Request, CancellationToken.None));
        await Assert.ThrowsAsync<TimeoutException>(async () => await broker.GetHistoryAsync("room", default, CancellationToken.None));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await broker.SubscribeAsync(channel, CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(async () => await broker.UnsubscribeAsync(channel, CancellationToken.None));

        Assert.Equal([("publish", "InvalidOperationException"), ("history", "TimeoutException"), ("unsubscribe", "IOException")], Operations());
    }

    [Fact]
    public async Task Publishing_through_it_allocates_nothing_when_the_broker_completes_at_once()
    {
        _listener.Dispose(); // A listener's tag list is not what is measured here.
        var broker = new MeasuredBroker(new CompletedBroker(), _metrics);
        await broker.PublishAsync(Request, CancellationToken.None); // Warm up.

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            await broker.PublishAsync(Request, CancellationToken.None); // Completes at once: stays on this thread.
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private List<(string, string?)> Operations()
    {
        lock (_operations)
        {
            return [.. _operations];
        }
    }

    private sealed class IgnoredPublications : IBrokerEventHandler
    {
        public void HandlePublication(Publication publication)
        {
        }
    }

    /// <summary>Fails each operation a different way: synchronously, asynchronously, by cancellation.</summary>
    private sealed class FailingBroker : IBroker
    {
        public ValueTask StartAsync(IBrokerEventHandler handler, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("thrown before a task exists");

        public async ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new TimeoutException("failed after going asynchronous");
        }

        public ValueTask SubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) =>
            ValueTask.FromCanceled(new CancellationToken(canceled: true));

        public ValueTask UnsubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) =>
            ValueTask.FromException(new IOException("a faulted task"));
    }

    /// <summary>Completes every call at once with a value, as a broker answering from memory would.</summary>
    private sealed class CompletedBroker : IBroker
    {
        public ValueTask StartAsync(IBrokerEventHandler handler, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken) => new(default(PublishResult));

        public ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ValueTask SubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask UnsubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
