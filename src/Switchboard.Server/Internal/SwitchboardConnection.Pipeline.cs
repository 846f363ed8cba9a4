namespace Switchboard.Server.Internal;

/// <summary>
/// Publishes in flight on one connection. The receive loop does not wait for a publish's broker round trip before it
/// reads the next command: consecutive publishes are handed to the broker one after another (which keeps their
/// order, as <see cref="Brokers.IBroker"/> promises) and their replies leave in command order as the results come in.
/// Any other command waits until every earlier publish has replied, so a connection still sees its commands executed
/// one after another.
/// </summary>
/// <remarks>
/// Why: with a broker across the network (Redis), a publisher waiting for each result in turn is limited to one
/// publication per round trip, and on a busy node each result waits behind the thread pool's queue of writer wake-ups
/// too; measured, that capped one publishing connection below 100 publications/s while the node had CPU to spare
/// (docs/performance.md). With the memory broker a publish completes at once and nothing changes.
/// The members without a thread-safety note are for the receive loop only.
/// </remarks>
internal sealed partial class SwitchboardConnection
{
    /// <summary>The most publishes of one connection in flight at once; the next command waits for them.</summary>
    public const int MaxPublishesInFlight = 256;

    private Task? _lastPublish;
    private int _publishesInFlight;

    /// <summary>Completes once every publish started on this connection has replied.</summary>
    public Task PublishesReplied
    {
        get
        {
            if (_lastPublish is { IsCompleted: false } last)
            {
                return last;
            }

            _lastPublish = null;
            return Task.CompletedTask;
        }
    }

    /// <summary>Whether the next publish may start before the earlier ones have replied.</summary>
    public bool CanPipelinePublish => Volatile.Read(ref _publishesInFlight) < MaxPublishesInFlight;

    /// <summary>A publish starts: it counts as executing (drain waits for it) until <see cref="PublishFinished"/>.</summary>
    public void PublishStarted()
    {
        Interlocked.Increment(ref _publishesInFlight);
        Interlocked.Increment(ref _executing);
    }

    /// <summary>The publish's completion (its reply sent): the next publish's reply chains on it.</summary>
    public void PublishPipelined(Task replied)
    {
        if (!replied.IsCompleted)
        {
            _lastPublish = replied;
        }
    }

    /// <summary>A publish has replied. Thread safety: from any thread.</summary>
    public void PublishFinished()
    {
        Interlocked.Decrement(ref _publishesInFlight);
        EndCommand();
    }
}
