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

    public ValueTask<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken) =>
        MeasureAsync(Publish, request, static (broker, publication, token) => broker.PublishAsync(publication, token), cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) =>
        await MeasureAsync(Subscribe, channel, SubscribeOn, cancellationToken).ConfigureAwait(false);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask UnsubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) =>
        await MeasureAsync(Unsubscribe, channel, UnsubscribeOn, cancellationToken).ConfigureAwait(false);

    public ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken) =>
        MeasureAsync(History, (channel, query), static (broker, read, token) => broker.GetHistoryAsync(read.channel, read.query, token), cancellationToken);

    /// <summary>
    /// Calls <paramref name="call"/> on the inner broker with <paramref name="state"/> and records its round trip. The
    /// callers pass static lambdas (cached by the compiler) and their arguments as state, so no closure is allocated.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResult> MeasureAsync<TState, TResult>(
        string operation, TState state, Func<IBroker, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call(inner, state, cancellationToken).ConfigureAwait(false);
            metrics.BrokerOperation(operation, null, started);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.BrokerOperation(operation, ex.GetType().Name, started);
            throw;
        }
    }

    // Subscribe and unsubscribe return no result; these give MeasureAsync one. Static methods: the compiler caches their
    // delegates (C# 11), and the pooling builder reuses their state machines, so neither allocates per call.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> SubscribeOn(IBroker broker, ChannelPattern channel, CancellationToken cancellationToken)
    {
        await broker.SubscribeAsync(channel, cancellationToken).ConfigureAwait(false);
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> UnsubscribeOn(IBroker broker, ChannelPattern channel, CancellationToken cancellationToken)
    {
        await broker.UnsubscribeAsync(channel, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
