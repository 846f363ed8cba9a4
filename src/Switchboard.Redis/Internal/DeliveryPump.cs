namespace Switchboard.Redis.Internal;

/// <summary>
/// One dedicated thread on which the node reads its Redis subscriptions and fans their publications out, as the memory
/// broker fans out on the publisher's own thread. Its <see cref="SynchronizationContext"/> is how: a read loop started
/// here awaits the subscription's queue without <c>ConfigureAwait(false)</c>, so StackExchange.Redis's reader, when it
/// writes the next message, posts the loop's continuation straight to this thread.
/// </summary>
/// <remarks>
/// Why not the thread pool (what <c>ChannelMessageQueue.OnMessage</c> uses): a fan-out to 1,000 subscribers queues
/// 1,000 writer wake-ups on the pool, and the continuation that delivers the next publication queued behind them. Each
/// writer then always found exactly one message to send: one system call per delivery, and the node fell behind at a
/// tenth of the memory broker's rate (docs/performance.md). From this thread the next publication reaches the writers'
/// queues while they are still draining the previous one, and each wake-up sends what has accumulated.
/// Thread safety: <see cref="Post"/> and <see cref="Run"/> from any thread.
/// </remarks>
internal sealed class DeliveryPump : SynchronizationContext, IDisposable
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _work = new();
    private readonly object _gate = new(); // A monitor, not a Lock: the thread waits on it (Monitor.Wait).
    private readonly Action<Exception> _onError;
    private readonly Thread _thread;
    private bool _stopped;

    /// <param name="name">The thread's name, as diagnostics tools show it.</param>
    /// <param name="onError">Told of an exception a work item let escape; the pump goes on with the next item.</param>
    public DeliveryPump(string name, Action<Exception> onError)
    {
        _onError = onError;
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Starts <paramref name="loop"/> on the pump's thread; its awaits continue there.</summary>
    public void Run(Func<Task> loop) => Post(static state => _ = ((Func<Task>)state!)(), loop);

    /// <inheritdoc />
    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return; // Disposed: what was still to run belonged to subscriptions that are gone.
            }

            _work.Enqueue((d, state));
            if (_work.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <inheritdoc />
    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("The delivery pump runs work asynchronously only.");

    /// <inheritdoc />
    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Ends the thread once the work already posted has run.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.Pulse(_gate);
        }

        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    private void Loop()
    {
        SetSynchronizationContext(this);
        while (true)
        {
            (SendOrPostCallback Callback, object? State) item;
            lock (_gate)
            {
                while (_work.Count == 0)
                {
                    if (_stopped)
                    {
                        return;
                    }

                    Monitor.Wait(_gate);
                }

                item = _work.Dequeue();
            }

            try
            {
                item.Callback(item.State);
            }
#pragma warning disable CA1031 // One failing item must not stop delivery of every other channel; it is reported.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _onError(ex);
            }
        }
    }
}
