using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Switchboard.Testing;

/// <summary>
/// One connection through a <see cref="TcpProxy"/>: a pump per direction, each a reader that hands chunks to a writer
/// through a queue, so that a delay holds bytes back without slowing the reading (latency, not a throughput cap).
/// An end of stream is passed on as one (FIN), a broken side as a reset; a black-holed direction passes on nothing.
/// </summary>
internal sealed class ProxyLink
{
    private const int ChunkSize = 16 * 1024;

    private readonly TcpProxy _proxy;
    private readonly TcpClient _client;
    private readonly TcpClient _server;
    private volatile bool _upstream = true;
    private volatile bool _downstream = true;
    private int _closed;
    private int _ended;

    public ProxyLink(TcpProxy proxy, TcpClient client, TcpClient server)
    {
        _proxy = proxy;
        _client = client;
        _server = server;
    }

    public void Start()
    {
        _ = PumpAsync(_client, _server, upstream: true);
        _ = PumpAsync(_server, _client, upstream: false);
    }

    public void BlackHole(ProxyDirection direction)
    {
        if (direction is ProxyDirection.Both or ProxyDirection.Upstream)
        {
            _upstream = false;
        }

        if (direction is ProxyDirection.Both or ProxyDirection.Downstream)
        {
            _downstream = false;
        }
    }

    public void Forward() => _upstream = _downstream = true;

    /// <summary>Resets both sides (linger 0: an RST, as a crashed peer or a dropped NAT entry gives).</summary>
    public void Reset()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            ResetSocket(_client);
            ResetSocket(_server);
            _proxy.Forget(this);
        }
    }

    public static void ResetSocket(TcpClient socket)
    {
        try
        {
            socket.Client?.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            // Already closed.
        }

        socket.Dispose();
    }

    private bool Forwarding(bool upstream) => upstream ? _upstream : _downstream;

    private async Task PumpAsync(TcpClient from, TcpClient to, bool upstream)
    {
        var chunks = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = WriteAsync(to, chunks.Reader);
        var broken = false;
        try
        {
            var source = from.GetStream();
            while (true)
            {
                if (!upstream)
                {
                    await _proxy.WhenRunning.WaitAsync(_proxy.Stopping).ConfigureAwait(false);
                }

                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                var read = await source.ReadAsync(buffer.AsMemory(0, ChunkSize), _proxy.Stopping).ConfigureAwait(false);
                var delay = _proxy.CurrentDelay;
                if (read == 0 || !Forwarding(upstream))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    if (read == 0)
                    {
                        break;
                    }

                    _proxy.Dropped(read);
                    continue;
                }

                chunks.Writer.TryWrite(new Chunk(buffer, read, delay > TimeSpan.Zero ? Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency) : 0));
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            broken = true;
        }

        chunks.Writer.TryComplete();
        await writer.ConfigureAwait(false); // What was read (and maybe delayed) still arrives before the end.
        if (!Forwarding(upstream))
        {
            return; // A dead route tells the other side nothing.
        }

        if (broken)
        {
            Reset();
            return;
        }

        try
        {
            to.Client?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            // The other side is gone already.
        }

        if (Interlocked.Increment(ref _ended) == 2 && Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _client.Dispose();
            _server.Dispose();
            _proxy.Forget(this);
        }
    }

    private async Task WriteAsync(TcpClient to, ChannelReader<Chunk> chunks)
    {
        var failed = false;
        while (await chunks.WaitToReadAsync().ConfigureAwait(false))
        {
            while (chunks.TryRead(out var chunk))
            {
                try
                {
                    if (!failed)
                    {
                        if (chunk.Due != 0 && Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), chunk.Due) is { Ticks: > 0 } wait)
                        {
                            await Task.Delay(wait, _proxy.Stopping).ConfigureAwait(false);
                        }

                        await to.GetStream().WriteAsync(chunk.Buffer.AsMemory(0, chunk.Count), _proxy.Stopping).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
                {
                    failed = true;
                    Reset();
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk.Buffer);
                }
            }
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Count, long Due);
}
