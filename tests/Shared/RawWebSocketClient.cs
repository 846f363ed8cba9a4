using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// A WebSocket client on a bare TCP socket, for what no WebSocket library sends: a frame header that declares 2^62
/// bytes and then nothing. It does the upgrade, writes the bytes it is given, and reads the server's frames (text,
/// ping, close) to see what the server answered. Test-only: every other test uses a real WebSocket client.
/// </summary>
public sealed class RawWebSocketClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    private static async Task<TcpClient> OpenAsync(Uri uri, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(uri.Host, uri.Port, cancellationToken);
            return tcp;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Connects to <paramref name="uri"/> (ws://host:port/path?query) and completes the upgrade (expects 101).</summary>
    public static async Task<RawWebSocketClient> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string>? headers = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var client = new RawWebSocketClient(await OpenAsync(uri, cts.Token));
        try
        {
            var request = new StringBuilder()
                .Append($"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .Append($"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\nSec-WebSocket-Version: 13\r\n");
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                request.Append($"{name}: {value}\r\n");
            }

            await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), cts.Token);
            var head = await client.ReadResponseHeadAsync(cts.Token);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the upgrade was refused: " + head.Split("\r\n")[0]);
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>A masked frame header with the 64-bit length form, declaring <paramref name="declaredLength"/> payload bytes.</summary>
    public static byte[] FrameHeader(byte opcode, ulong declaredLength, bool fin = true)
    {
        var header = new byte[14];
        header[0] = (byte)((fin ? 0x80 : 0) | opcode);
        header[1] = 0x80 | 127;
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), declaredLength);
        RandomNumberGenerator.Fill(header.AsSpan(10, 4));
        return header;
    }

    /// <summary>One whole masked text frame.</summary>
    public static byte[] TextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var header = FrameHeader(0x1, (ulong)payload.Length);
        var frame = new byte[header.Length + payload.Length];
        header.CopyTo(frame, 0);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[header.Length + i] = (byte)(payload[i] ^ header[10 + (i % 4)]);
        }

        return frame;
    }

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The next text message from the server (pings are skipped). Throws when the server closes first.</summary>
    public async Task<string> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var (opcode, payload) = await ReadFrameAsync(cts.Token) ?? throw new InvalidOperationException("the server closed the TCP connection");
            if (opcode == 0x1)
            {
                return Encoding.UTF8.GetString(payload);
            }

            if (opcode == 0x8)
            {
                throw new InvalidOperationException($"the server closed with {(payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 0)} before a text message");
            }
        }
    }

    /// <summary>
    /// Reads until the server's close frame and returns its code and reason; <see langword="null"/> when the TCP
    /// connection ended without one. Throws <see cref="TimeoutException"/> when nothing closes within <paramref name="timeout"/>.
    /// </summary>
    public async Task<(int Code, string Reason)?> ReceiveCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await ReadFrameAsync(cts.Token) is var (opcode, payload))
            {
                if (opcode == 0x8)
                {
                    return payload.Length >= 2 ? (BinaryPrimitives.ReadUInt16BigEndian(payload), Encoding.UTF8.GetString(payload, 2, payload.Length - 2)) : (1005, string.Empty);
                }
            }

            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the server did not close within {timeout.TotalSeconds:0.#} s");
        }
        catch (IOException)
        {
            return null; // Reset by the server.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<string> ReadResponseHeadAsync(CancellationToken cancellationToken)
    {
        // Byte by byte up to the blank line: nothing after the head (the server's first frame) is consumed.
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await _stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new InvalidOperationException("the server closed during the upgrade");
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. head]);
    }

    /// <summary>One unmasked server frame, or <see langword="null"/> at the end of the TCP stream.</summary>
    private async Task<(int Opcode, byte[] Payload)?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var start = new byte[2];
        if (!await ReadExactAsync(start, cancellationToken))
        {
            return null;
        }

        long length = start[1] & 0x7F;
        if (length >= 126)
        {
            var extended = new byte[length == 126 ? 2 : 8];
            if (!await ReadExactAsync(extended, cancellationToken))
            {
                return null;
            }

            length = extended.Length == 2 ? BinaryPrimitives.ReadUInt16BigEndian(extended) : (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
        }

        var payload = new byte[length];
        return await ReadExactAsync(payload, cancellationToken) ? (start[0] & 0x0F, payload) : null;
    }

    private async Task<bool> ReadExactAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
