using Switchboard.Protocol;

namespace Switchboard.Client.Internal;

/// <summary>
/// The commands waiting for a result: sent and unanswered, or in the offline buffer while there is no connection.
/// It sends a command at once when connected, buffers it (bounded, per the overflow policy) when not, times it out,
/// and when a connection drops decides per command what happens: a publish or read is sent again (in its original
/// order, ahead of anything buffered since), an rpc fails (it may have run), a subscribe is forgotten (the subscription
/// set redoes it). While connected it keeps at most the connection's <see cref="IFrameSink.CommandWindow"/> commands
/// sent and unanswered; the next ones wait, in order, for results to come back.
/// </summary>
/// <remarks>Thread safety: every member may be called from many threads; one lock guards the table and the buffer,
/// never held while completing a command (continuations run elsewhere).</remarks>
internal sealed class CommandTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, PendingCommand> _pending = [];
    private readonly LinkedList<PendingCommand> _offline = new();
    private readonly LinkedList<PendingCommand> _held = new(); // Connected, waiting for the window.
    private readonly int _bufferSize;
    private readonly OfflineBufferOverflow _overflow;
    private readonly TimeSpan _timeout;
    private IFrameSink? _sink;
    private int _window = int.MaxValue;
    private int _inFlight; // Sent on the current connection and unanswered.
    private long _resumeAt; // After a rate_limited refusal nothing is sent before this (Environment.TickCount64).
    private long _nextId;

    public CommandTracker(int bufferSize, OfflineBufferOverflow overflow, TimeSpan timeout)
    {
        _bufferSize = bufferSize;
        _overflow = overflow;
        _timeout = timeout;
    }

    /// <summary>How many commands wait in the offline buffer.</summary>
    public int Buffered
    {
        get
        {
            lock (_gate)
            {
                return _offline.Count;
            }
        }
    }

    /// <summary>A new command id (ids are never reused within a client).</summary>
    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Sends a command now, or buffers it while offline, and waits for its result body.</summary>
    /// <exception cref="SwitchboardBufferFullException">Offline with a full buffer, per the overflow policy.</exception>
    /// <exception cref="TimeoutException">No result within <paramref name="timeout"/> (default: the command timeout).</exception>
    public async Task<ReadOnlyMemory<byte>> ExecuteAsync(PendingCommand command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Enqueue(command);
        try
        {
            return await command.Completion.Task.WaitAsync(timeout ?? _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Forget(command);
            throw;
        }
    }

    /// <summary>Tracks a command its caller sends itself, right after this (a subscribe, in order with the others).</summary>
    public void TrackSent(PendingCommand command)
    {
        lock (_gate)
        {
            _pending.Add(command.Id, command);
            command.Sent = true;
            _inFlight++;
        }
    }

    /// <summary>Takes the command a <c>result</c> answers, if it is still waiting (not timed out or cancelled).</summary>
    public PendingCommand? Take(long id)
    {
        lock (_gate)
        {
            if (!_pending.Remove(id, out var command))
            {
                return null;
            }

            if (command.Sent)
            {
                _inFlight--;
                SendHeld();
            }

            return command;
        }
    }

    /// <summary>Makes <paramref name="sink"/> current and sends the offline buffer on it, in order.</summary>
    public void OnConnected(IFrameSink sink)
    {
        lock (_gate)
        {
            _sink = sink;
            _window = sink.CommandWindow;
            _inFlight = 0;
            _resumeAt = 0; // A new connection has a new bucket on the server.
            foreach (var command in _offline)
            {
                command.WaitingNode = _held.AddLast(command);
            }

            _offline.Clear();
            SendHeld();
        }
    }

    /// <summary>
    /// The connection dropped: what was sent and not answered goes back to the buffer (publishes and reads, in their
    /// original order, ahead of anything buffered since), fails (rpc) or is forgotten (subscribe).
    /// </summary>
    public void OnConnectionLost(DisconnectInfo disconnect)
    {
        List<PendingCommand>? failed = null;
        List<PendingCommand>? forgotten = null;
        lock (_gate)
        {
            _sink = null;
            _inFlight = 0;
            var unanswered = new List<PendingCommand>();
            foreach (var command in _pending.Values)
            {
                if (command.Sent || command.WaitingNode?.List == _held)
                {
                    unanswered.Add(command);
                }
            }

            _held.Clear(); // Never sent: back to the buffer below, in their order among the unanswered.

            unanswered.Sort(static (a, b) => a.Id.CompareTo(b.Id));
            var insertAt = _offline.First;
            foreach (var command in unanswered)
            {
                var wasSent = command.Sent;
                command.Sent = false;
                command.WaitingNode = null;
                switch (wasSent ? command.Resend : ResendPolicy.Resend)
                {
                    case ResendPolicy.Resend:
                        command.WaitingNode = insertAt is null ? _offline.AddLast(command) : _offline.AddBefore(insertAt, command);
                        break;
                    case ResendPolicy.FailIfSent:
                        _pending.Remove(command.Id);
                        (failed ??= []).Add(command);
                        break;
                    default:
                        _pending.Remove(command.Id);
                        (forgotten ??= []).Add(command);
                        break;
                }
            }
        }

        foreach (var command in forgotten ?? [])
        {
            command.Completion.TrySetCanceled();
        }

        foreach (var command in failed ?? [])
        {
            command.Completion.TrySetException(new SwitchboardConnectionException($"the connection was lost before the {command.Type}'s result arrived; it may have run", disconnect));
        }
    }

    /// <summary>
    /// Sends <paramref name="command"/> again after <paramref name="delay"/>: the server refused it with
    /// <c>rate_limited</c>, so it was not executed. It keeps waiting for its result (and its timeout keeps running);
    /// when the connection is gone by then, it waits in the offline buffer, ahead of what was buffered since.
    /// </summary>
    public void RetryAfter(PendingCommand command, TimeSpan delay)
    {
        IFrameSink? sink;
        lock (_gate)
        {
            command.Sent = false;
            _pending[command.Id] = command;
            sink = _sink;

            // Order: nothing newer goes out before it. Sending pauses for the delay, and the refused command waits
            // in its place among the others (several refused in a row keep their order too).
            _resumeAt = Math.Max(_resumeAt, Environment.TickCount64 + (long)Math.Ceiling(delay.TotalMilliseconds));
            if (command.Resend != ResendPolicy.Forget)
            {
                command.WaitingNode = InsertInOrder(sink is null ? _offline : _held, command);
            }
        }

        _ = ResendAsync(command, sink, delay);
    }

    private static LinkedListNode<PendingCommand> InsertInOrder(LinkedList<PendingCommand> list, PendingCommand command)
    {
        for (var node = list.First; node is not null; node = node.Next)
        {
            if (node.Value.Id > command.Id)
            {
                return list.AddBefore(node, command);
            }
        }

        return list.AddLast(command);
    }

    private async Task ResendAsync(PendingCommand command, IFrameSink? refusedOn, TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        while (command.Resend != ResendPolicy.Forget)
        {
            long wait;
            lock (_gate)
            {
                wait = _resumeAt - Environment.TickCount64;
                if (wait <= 0)
                {
                    SendHeld(); // The pause is over: the refused commands go first, in order.
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(wait)).ConfigureAwait(false); // A later refusal extended it.
        }

        lock (_gate)
        {

            if (!_pending.TryGetValue(command.Id, out var current) || current != command || command.Sent || command.WaitingNode is not null)
            {
                return; // Timed out, cancelled or failed meanwhile.
            }

            if (command.Resend == ResendPolicy.Forget && _sink != refusedOn)
            {
                // A subscribe belongs to its connection; the subscription set subscribes again on the new one.
                _pending.Remove(command.Id);
                command.Completion.TrySetCanceled();
                return;
            }

            if (_sink is not null)
            {
                command.WaitingNode = InsertInOrder(_held, command);
                SendHeld();
                return;
            }

            command.WaitingNode = InsertInOrder(_offline, command);
        }
    }

    /// <summary>Fails every waiting command: the client stopped for good.</summary>
    public void FailAll(DisconnectInfo? disconnect)
    {
        List<PendingCommand> all;
        lock (_gate)
        {
            _sink = null;
            all = [.. _pending.Values];
            _pending.Clear();
            foreach (var command in all)
            {
                command.WaitingNode = null;
            }

            _offline.Clear();
            _held.Clear();
            _inFlight = 0;
        }

        var reason = disconnect?.Reason ?? "disconnected";
        foreach (var command in all)
        {
            if (command.Resend == ResendPolicy.Forget)
            {
                command.Completion.TrySetCanceled(); // Nobody waits on a subscribe command itself.
            }
            else
            {
                command.Completion.TrySetException(new SwitchboardConnectionException($"the client is disconnected: {reason}", disconnect));
            }
        }
    }

    private void Enqueue(PendingCommand command)
    {
        PendingCommand? dropped = null;
        lock (_gate)
        {
            _pending.Add(command.Id, command);
            if (_sink is not null)
            {
                // Sent now, or after the commands before it when the window is full. When the connection is closing
                // it waits here, and goes to the buffer when the loss is reported (even an rpc: it was not sent).
                command.WaitingNode = _held.AddLast(command);
                SendHeld();
                return;
            }

            if (_offline.Count >= _bufferSize)
            {
                if (_overflow == OfflineBufferOverflow.Reject || _offline.Count == 0)
                {
                    _pending.Remove(command.Id);
                    throw new SwitchboardBufferFullException($"the offline buffer is full ({_bufferSize} commands)");
                }

                dropped = _overflow == OfflineBufferOverflow.DropOldest ? _offline.First!.Value : _offline.Last!.Value;
                _offline.Remove(dropped.WaitingNode!);
                dropped.WaitingNode = null;
                _pending.Remove(dropped.Id);
            }

            command.WaitingNode = _offline.AddLast(command);
        }

        dropped?.Completion.TrySetException(new SwitchboardBufferFullException($"dropped from the full offline buffer ({_bufferSize} commands)"));
    }

    /// <summary>Stops tracking a command that timed out or was cancelled. A late result for it is ignored.</summary>
    private void Forget(PendingCommand command)
    {
        lock (_gate)
        {
            _pending.Remove(command.Id);
            if (command.WaitingNode is { } node)
            {
                node.List!.Remove(node);
                command.WaitingNode = null;
            }
            else if (command.Sent)
            {
                command.Sent = false;
                _inFlight--;
                SendHeld();
            }
        }
    }

    /// <summary>Under the lock: sends waiting commands, oldest first, while the window has room.</summary>
    private void SendHeld()
    {
        if (Environment.TickCount64 < _resumeAt)
        {
            return;
        }

        while (_sink is { } sink && _inFlight < _window && _held.First is { } node)
        {
            var command = node.Value;
            if (!sink.Send(command.Payload))
            {
                return; // Closing: they go back to the buffer when the connection is reported lost.
            }

            _held.RemoveFirst();
            command.WaitingNode = null;
            command.Sent = true;
            _inFlight++;
        }
    }
}
