using Switchboard.Brokers;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// A heal's history read (<see cref="StreamContinuity"/>): what a channel's stream holds after a position, or all it
/// holds when that is incomplete. A failing read is tried again a bounded number of times with exponential backoff
/// and full jitter on the node's <see cref="TimeProvider"/>, so many nodes do not retry together and fake time drives
/// it in tests; then the heal gets an empty, incomplete answer (its subscribers get the gap notice).
/// </summary>
/// <remarks>Thread safety: stateless apart from its settings; safe from many threads.</remarks>
internal sealed class MissedHistory(IBroker broker, TimeProvider time, ContinuityLog log, CancellationToken stopping)
{
    private const int MaxAttempts = 6; // At most about 6 s of waits in all.
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(3);

    /// <summary>Reads what followed <paramref name="from"/>, trying again with backoff while the broker fails.</summary>
    public async Task<Read> ReadAsync(string channel, StreamPosition from)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var missed = await broker.GetHistoryAsync(channel, new HistoryQuery(from, null), CancellationToken.None).ConfigureAwait(false);
                if (missed.Complete)
                {
                    return new Read(missed, Complete: true);
                }

                var all = await broker.GetHistoryAsync(channel, new HistoryQuery(null, null), CancellationToken.None).ConfigureAwait(false);
                return new Read(all, Complete: false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt >= MaxAttempts || stopping.IsCancellationRequested)
                {
                    // History stays out of reach: nobody can be told what they missed, only that they missed something.
                    log.HealFailed(channel, ex);
                    return new Read(new HistoryResult(new StreamPosition(0, string.Empty), [], Complete: false), Complete: false);
                }

                try
                {
                    await Task.Delay(RetryDelay(attempt), time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The node stops: one last attempt, then the gap notice (its connections are closing anyway).
                }
            }
        }
    }

    /// <summary>Full jitter: a random wait between the first delay and a ceiling that doubles per attempt.</summary>
    private static TimeSpan RetryDelay(int attempt)
    {
        var ceiling = Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(attempt, 20));
        return TimeSpan.FromTicks(FirstRetryDelay.Ticks + (long)(Random.Shared.NextDouble() * (ceiling - FirstRetryDelay.Ticks)));
    }

    /// <summary>What a heal read: with <paramref name="Complete"/>, everything after its position; otherwise all that is held.</summary>
    public readonly record struct Read(HistoryResult Result, bool Complete);
}
