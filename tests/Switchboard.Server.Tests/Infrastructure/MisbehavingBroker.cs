using Switchboard.Brokers;
using Switchboard.Protocol;

namespace Switchboard.Server.Tests.Infrastructure;

/// <summary>
/// The memory broker with faults a node must survive without looping: it can lose one offset on its way to the node
/// (<see cref="LoseOffset"/>, as a broken link does), also from history while still calling that history complete (a
/// broker that breaks its contract), and it can fail every history read (<see cref="FailHistory"/>, a backend down).
/// </summary>
/// <remarks>Thread safety: the settings are read on every call; set them before the publish they are meant for.</remarks>
public sealed class MisbehavingBroker(TimeProvider time) : IBroker, IBrokerEventHandler, IDisposable
{
    private readonly MemoryBroker _inner = new(time);
    private IBrokerEventHandler? _node;
    private readonly TaskCompletionSource _failedRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _historyReads;

    /// <summary>An offset the node never receives live (0: none).</summary>
    public long LoseOffset { get; set; }

    /// <summary>Whether history reads leave <see cref="LoseOffset"/> out too, still answering complete.</summary>
    public bool LoseFromHistory { get; set; }

    /// <summary>Whether every history read throws <see cref="BrokerUnavailableException"/>.</summary>
    public bool FailHistory { get; set; }

    /// <summary>Completes when a history read has failed (<see cref="FailHistory"/>).</summary>
    public Task FailedRead => _failedRead.Task;

    /// <summary>How many history reads were made (the subscribes' and the heals').</summary>
    public int HistoryReads => Volatile.Read(ref _historyReads);

    public ValueTask StartAsync(IBrokerEventHandler handler, CancellationToken cancellationToken)
    {
        _node = handler;
        return _inner.StartAsync(this, cancellationToken);
    }

    public ValueTask<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken) => _inner.PublishAsync(request, cancellationToken);

    public ValueTask SubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) => _inner.SubscribeAsync(channel, cancellationToken);

    public ValueTask UnsubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken) => _inner.UnsubscribeAsync(channel, cancellationToken);

    public async ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _historyReads);
        if (FailHistory)
        {
            _failedRead.TrySetResult();
            throw new BrokerUnavailableException("history is down (test)");
        }

        var result = await _inner.GetHistoryAsync(channel, query, cancellationToken);
        return LoseFromHistory ? result with { Publications = [.. result.Publications.Where(p => p.Offset != LoseOffset)] } : result;
    }

    void IBrokerEventHandler.HandlePublication(Publication publication)
    {
        if (publication.Offset != LoseOffset)
        {
            _node!.HandlePublication(publication);
        }
    }

    public void Dispose() => _inner.Dispose();
}
