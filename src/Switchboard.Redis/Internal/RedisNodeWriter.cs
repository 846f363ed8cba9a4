using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Internal;

namespace Switchboard.Redis.Internal;

/// <summary>Something that queues writes for the <see cref="RedisNodeWriter"/> to send in its next batch.</summary>
internal interface IBatchedWrites
{
    /// <summary>Adds everything queued since the last call to <paramref name="batch"/>, and the tasks of its commands to <paramref name="commands"/>.</summary>
    void Drain(IBatch batch, List<Task> commands);

    /// <summary>Called once the batch it drained into was written (<paramref name="failure"/> set when Redis refused or was unreachable).</summary>
    void Written(Exception? failure)
    {
    }
}

/// <summary>
/// The node's batched writes to Redis: presence changes and control bus messages are queued without waiting, and one
/// loop sends whatever was queued as one pipeline (<see cref="IBatch"/>) after <see cref="SwitchboardRedisOptions.BatchInterval"/>,
/// so a burst of subscribes (a reconnect storm) costs one round trip per interval instead of one per subscribe.
/// </summary>
/// <remarks>
/// Sources drain in the order they were attached (the presence store before the bus), so a join or leave event is
/// only published after the presence change it tells about is in Redis. A failed batch is logged and dropped:
/// presence and the bus are best effort (the presence store writes its entries again when its liveness key was lost).
/// Thread safety: <see cref="Signal"/> and <see cref="FlushedAsync"/> may be called from many threads; one loop writes.
/// </remarks>
internal sealed class RedisNodeWriter : IAsyncDisposable
{
    private readonly Func<Task<ConnectionMultiplexer>> _multiplexer;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly OncePerInterval _failures = new(TimeProvider.System, OncePerInterval.DefaultInterval);
    private readonly List<IBatchedWrites> _sources = [];
    private readonly Lock _sourcesGate = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _next = NewCompletion();
    private Task? _loop;
    private int _signalled;

    public RedisNodeWriter(Func<Task<ConnectionMultiplexer>> multiplexer, TimeSpan interval, ILogger logger)
    {
        _multiplexer = multiplexer;
        _interval = interval;
        _logger = logger;
    }

    /// <summary>Adds a source; drained after the ones attached before it.</summary>
    public void Attach(IBatchedWrites source)
    {
        lock (_sourcesGate)
        {
            _sources.Add(source);
            _loop ??= Task.Run(RunAsync);
        }
    }

    /// <summary>Says that a source has something queued. O(1), never waits.</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Completes once everything queued before the call has been written (or failed to be).</summary>
    public Task FlushedAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return Task.CompletedTask; // Stopped: nothing more is written (a late leave of a node shutting down).
        }

        // Read before signalling: the loop swaps _next when it starts draining, which is after this read.
        var next = Volatile.Read(ref _next).Task;
        Signal();
        return next;
    }

    public async ValueTask DisposeAsync()
    {
        if (_loop is null)
        {
            return;
        }

        // One last batch (the leaves of a draining node), then stop.
        try
        {
            await FlushedAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Redis is unreachable: what was queued is lost, and expires there by itself.
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Volatile.Read(ref _next).TrySetResult(); // Whoever still waits is not left hanging.
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(token).ConfigureAwait(false);
                if (_interval > TimeSpan.Zero)
                {
                    await Task.Delay(_interval, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Volatile.Write(ref _signalled, 0);
            var done = Interlocked.Exchange(ref _next, NewCompletion());
            await WriteBatchAsync().ConfigureAwait(false);
            done.TrySetResult();
        }
    }

    private async Task WriteBatchAsync()
    {
        IBatchedWrites[] sources;
        lock (_sourcesGate)
        {
            sources = [.. _sources];
        }

        Exception? failure = null;
        try
        {
            var database = (await _multiplexer().ConfigureAwait(false)).GetDatabase();
            var batch = database.CreateBatch();
            var commands = new List<Task>();
            foreach (var source in sources)
            {
                source.Drain(batch, commands);
            }

            if (commands.Count > 0)
            {
                batch.Execute();
                await Task.WhenAll(commands).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            failure = ex;
            if (_failures.ShouldLog(out var unlogged))
            {
                RedisLog.BatchFailed(_logger, unlogged, ex);
            }
        }

        foreach (var source in sources)
        {
            source.Written(failure);
        }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
