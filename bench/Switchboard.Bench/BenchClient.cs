using System.Buffers;
using System.Net.WebSockets;

namespace Switchboard.Bench;

/// <summary>Receives the publications that the bench clients get.</summary>
internal interface IPublicationSink
{
    /// <summary>Called on a client's receive loop for each publication; must not block.</summary>
    void OnPublication(BenchClient client, long sequence, long sentTimestamp, long offset);
}

/// <summary>
/// One load-generator connection: a <see cref="ClientWebSocket"/> with one receive loop that splits frames into
/// messages, hands publications to a sink, answers heartbeats and completes the one outstanding request.
/// </summary>
/// <remarks>Thread safety: <see cref="SendAsync"/> may be called from many threads (sends are serialised).</remarks>
internal sealed class BenchClient : IAsyncDisposable
{
    private const int FirstBuffer = 16 * 1024;

    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly BenchTarget _target;
    private readonly IPublicationSink? _sink;
    private TaskCompletionSource<byte[]>? _pending;

    public BenchClient(int index, ClientWebSocket socket, BenchTarget target, IPublicationSink? sink)
    {
        Index = index;
        Socket = socket;
        _target = target;
        _sink = sink;
        Receiving = Task.Run(ReceiveLoopAsync);
    }

    public int Index { get; }

    public ClientWebSocket Socket { get; }

    public Task Receiving { get; }

    /// <summary>The channel this client subscribes to, if any.</summary>
    public string? Channel { get; set; }

    /// <summary>The last sequence number received (per-subscriber order check); -1 before the first.</summary>
    public long LastSequence { get; set; } = -1;

    /// <summary>The last stream offset received (Switchboard recovery).</summary>
    public long LastOffset { get; set; }

    /// <summary>The stream epoch from the subscribe result (Switchboard recovery).</summary>
    public string? Epoch { get; set; }

    /// <summary>Publications received with a sequence number not above the previous one.</summary>
    public long OutOfOrder { get; set; }

    public long Received { get; set; }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Sends a request and waits for the next reply (one request at a time per client).</summary>
    public async Task<byte[]> RequestAsync(ReadOnlyMemory<byte> message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pending, pending);
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return await pending.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for the next reply without sending (e.g. a handshake answer); call before the peer can answer.</summary>
    public Task<byte[]> ExpectReply()
    {
        var pending = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pending, pending);
        return pending.Task;
    }

    public async ValueTask DisposeAsync()
    {
        Socket.Abort();
        try
        {
            await Receiving.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted on purpose.
        }

        Socket.Dispose();
        _sendGate.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                // A zero-byte read waits without a buffer, so that thousands of idle clients cost little memory here too.
                var head = await Socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (head.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                buffer = ArrayPool<byte>.Shared.Rent(FirstBuffer);
                var count = 0;
                var complete = head.EndOfMessage;
                while (!complete)
                {
                    if (count == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.CopyTo(bigger, 0);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    var result = await Socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    count += result.Count;
                    complete = result.EndOfMessage;
                }

                if (Dispatch(buffer.AsSpan(0, count)))
                {
                    await SendAsync(_target.PingReply, CancellationToken.None).ConfigureAwait(false);
                }

                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The connection ended (aborted by the bench, or closed by the server).
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Volatile.Read(ref _pending)?.TrySetException(new WebSocketException("the connection ended"));
        }
    }

    /// <summary>Handles every message of a frame; returns whether a heartbeat needs an answer.</summary>
    private bool Dispatch(ReadOnlySpan<byte> frame)
    {
        var separator = _target.Separator;
        var ping = false;
        if (separator == 0)
        {
            return Handle(frame);
        }

        while (!frame.IsEmpty)
        {
            var end = frame.IndexOf(separator);
            var message = end < 0 ? frame : frame[..end];
            if (!message.IsEmpty)
            {
                ping |= Handle(message);
            }

            frame = end < 0 ? [] : frame[(end + 1)..];
        }

        return ping;
    }

    private bool Handle(ReadOnlySpan<byte> message)
    {
        switch (_target.Classify(message))
        {
            case IncomingKind.Publication:
                if (_sink is not null && PayloadCodec.TryRead(message, out var sequence, out var sent))
                {
                    _sink.OnPublication(this, sequence, sent, PayloadCodec.ReadOffset(message));
                }

                return false;
            case IncomingKind.Reply:
                Interlocked.Exchange(ref _pending, null)?.TrySetResult(message.ToArray());
                return false;
            case IncomingKind.Ping:
                return true;
            default:
                return false;
        }
    }
}
