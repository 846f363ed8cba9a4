using System.Buffers;
using System.Runtime.CompilerServices;
using Switchboard.Server.Transport;

namespace Switchboard.Server.Internal;

/// <summary>
/// The stream under a server <see cref="System.Net.WebSockets.WebSocket"/> on an upgraded HTTP/1.1 connection: reads
/// pass through to the upgraded stream; frames written while the connection's writer holds the flush are collected and
/// leave with the first frame written after it is released, in one write to the upgraded stream (which Kestrel turns
/// into one flush of the connection's output, i.e. one socket send). The frames themselves are still made by the
/// platform's WebSocket; a frame written with nothing held goes straight through, without a copy. What is read passes
/// <see cref="Frames"/>, which sees an oversized frame's header as soon as it arrives.
/// </summary>
/// <remarks>
/// Thread safety: the WebSocket serialises its writes (its own frames, pongs, close, keep-alive pings) with its send
/// lock, so writes never run concurrently. <see cref="HoldFlush"/> is set only by the connection's writer, between its
/// own sends; a frame the WebSocket writes on its own while the flush is held (a pong) leaves with the writer's last
/// frame of that batch, which is always sent with the flush released. The collecting buffer is rented for a batch and
/// returned when it is written, so an idle connection holds none.
/// </remarks>
internal sealed class CoalescingStream(Stream upgraded) : Stream
{
    private const int FirstBuffer = 16 * 1024;

    private volatile bool _holdFlush;
    private byte[]? _pending;
    private int _pendingLength;

    /// <summary>While true, written frames are collected; the next write after it is cleared sends them all at once.</summary>
    public bool HoldFlush
    {
        get => _holdFlush;
        set => _holdFlush = value;
    }

    /// <summary>Set once, right after the upgrade and before the WebSocket's first read: follows every byte read.</summary>
    public FrameSizeGuard? Frames { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Frames is not { } frames)
        {
            return upgraded.ReadAsync(buffer, cancellationToken);
        }

        var read = upgraded.ReadAsync(buffer, cancellationToken);
        if (!read.IsCompletedSuccessfully)
        {
            return ObserveAsync(read, buffer, frames);
        }

        var count = read.Result;
        frames.Observe(buffer.Span[..count]);
        return new ValueTask<int>(count);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = upgraded.Read(buffer, offset, count);
        Frames?.Observe(buffer.AsSpan(offset, read));
        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pendingLength == 0 && !_holdFlush)
        {
            return upgraded.WriteAsync(buffer, cancellationToken);
        }

        Collect(buffer.Span);
        return _holdFlush ? default : WritePendingAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The WebSocket flushes after every frame it writes; while frames are being collected that must not reach Kestrel.
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _holdFlush ? Task.CompletedTask : upgraded.FlushAsync(cancellationToken);

    // Kestrel does not allow synchronous I/O on connections by default, and the WebSocket never needs it.
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous writes are not supported");

    public override void Flush() => throw new NotSupportedException("synchronous writes are not supported");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // The collecting buffer is not returned here: an abort may dispose the stream while a write uses it. A buffer
        // left rented after an abort is collected by the GC.
        if (disposing)
        {
            upgraded.Dispose();
        }

        base.Dispose(disposing);
    }

    // Pooled: a read that waits for the network is the common case on a live connection.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> ObserveAsync(ValueTask<int> read, Memory<byte> buffer, FrameSizeGuard frames)
    {
        var count = await read.ConfigureAwait(false);
        frames.Observe(buffer.Span[..count]);
        return count;
    }

    private void Collect(ReadOnlySpan<byte> frame)
    {
        var needed = _pendingLength + frame.Length;
        if (_pending is null || needed > _pending.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(FirstBuffer, needed));
            if (_pending is not null)
            {
                _pending.AsSpan(0, _pendingLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_pending);
            }

            _pending = bigger;
        }

        frame.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength = needed;
    }

    private async ValueTask WritePendingAsync(CancellationToken cancellationToken)
    {
        var pending = _pending!;
        var length = _pendingLength;
        _pending = null;
        _pendingLength = 0;
        await upgraded.WriteAsync(pending.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        ArrayPool<byte>.Shared.Return(pending);
    }
}
