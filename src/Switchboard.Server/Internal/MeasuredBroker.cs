using System.Diagnostics;
using System.Runtime.CompilerServices;
using Switchboard.Brokers;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// The node's view of its <see cref="IBroker"/>: every call is passed through and its round trip recorded
/// (<c>switchboard.broker.operations</c> and <c>switchboard.broker.duration</c>, by operation, with the exception's
/// type as <c>error.type</c> when it failed). Cancellation is not a broker failure and is not counted as one.
/// </summary>
/// <remarks>
/// The methods use the pooling builder, so a broker that completes asynchronously (Redis, NATS) costs no allocation
/// per call here; one that completes synchronously (the memory broker) never boxes. Thread safety: as the inner broker.
/// </remarks>
internal sealed class MeasuredBroker(IBroker inner, Diagnostics.SwitchboardMetrics metrics) : IBroker
{
    private const string Publish = "publish";
    private const string Subscribe = "subscribe";
    private const string Unsubscribe = "unsubscribe";
    private const string History = "history";

    public ValueTask StartAsync(IBrokerEventHandler handler, CancellationToken cancellationToken) => inner.StartAsync(handler, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await inner.PublishAsync(request, cancellationToken).ConfigureAwait(false);
            metrics.BrokerOperation(Publish, null, started);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.BrokerOperation(Publish, ex.GetType().Name, started);
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.SubscribeAsync(channel, cancellationToken).ConfigureAwait(false);
            metrics.BrokerOperation(Subscribe, null, started);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.BrokerOperation(Subscribe, ex.GetType().Name, started);
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask UnsubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.UnsubscribeAsync(channel, cancellationToken).ConfigureAwait(false);
            metrics.BrokerOperation(Unsubscribe, null, started);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.BrokerOperation(Unsubscribe, ex.GetType().Name, started);
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await inner.GetHistoryAsync(channel, query, cancellationToken).ConfigureAwait(false);
            metrics.BrokerOperation(History, null, started);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.BrokerOperation(History, ex.GetType().Name, started);
            throw;
        }
    }
}
