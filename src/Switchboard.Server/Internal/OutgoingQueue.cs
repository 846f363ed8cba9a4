using System.Threading.Tasks.Sources;

namespace Switchboard.Server.Internal;

/// <summary>
/// The queue between a connection's producers (fan-out, replies, heartbeats) and its one writer: what an unbounded
/// single-reader <see cref="System.Threading.Channels.Channel{T}"/> gave the writer, at a fraction of its idle cost.
/// An idle connection holds one small array and this object (measured: the channel's first segment and its objects
/// were about 1.3 KiB per connection); waiting and waking allocate nothing, and a wake-up runs the writer on the
/// thread pool, never on the producer's thread, so a publisher is never slowed by a subscriber's socket.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="TryWrite"/> and <see cref="Complete"/> from any thread; <see cref="TryRead"/>,
/// <see cref="TryPeek"/> and <see cref="WaitToReadAsync"/> from the one reader only, one wait at a time.
/// </remarks>
internal sealed class OutgoingQueue : IValueTaskSource<bool>, IThreadPoolWorkItem
{
    // Small, because most connections are idle most of the time; it doubles under a burst and stays at the size reached,
    // so that steady traffic does not allocate.
    private const int InitialCapacity = 4;

    private readonly Lock _gate = new();
    private readonly Queue<ReadOnlyMemory<byte>> _items = new(InitialCapacity);
    private ManualResetValueTaskSourceCore<bool> _signal; // Mutable struct: never copy, never make readonly.
    private bool _waiting;
    private bool _completed;

    /// <summary>Adds a message; false once completed.</summary>
    public bool TryWrite(ReadOnlyMemory<byte> message)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _items.Enqueue(message);
            if (!_waiting)
            {
                return true;
            }

            _waiting = false;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    /// <summary>No more messages: the reader's wait ends once it has read what is queued.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public bool TryRead(out ReadOnlyMemory<byte> message)
    {
        lock (_gate)
        {
            return _items.TryDequeue(out message);
        }
    }

    public bool TryPeek(out ReadOnlyMemory<byte> message)
    {
        lock (_gate)
        {
            return _items.TryPeek(out message);
        }
    }

    /// <summary>True when a message can be read; false when the queue is completed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_gate)
        {
            if (_items.Count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _signal.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    // The wake-up, on a thread-pool thread: the waiting reader continues here. It answers true and looks again, so a
    // wake-up by Complete on an empty queue ends in the next wait returning false.
    void IThreadPoolWorkItem.Execute() => _signal.SetResult(true);

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _signal.OnCompleted(continuation, state, token, flags);
}
