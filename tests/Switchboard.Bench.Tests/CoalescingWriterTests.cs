using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Switchboard.Server.Internal;

namespace Switchboard.Bench.Tests;

/// <summary>
/// The writer of a plain (one message per frame) client over the coalescing stream: messages queued together leave in
/// one write to the upgraded stream (one flush of Kestrel's output, one socket send) as separate WebSocket frames, made
/// by the platform's WebSocket and read back by the platform's client WebSocket.
/// </summary>
public sealed class CoalescingWriterTests
{
    [Fact]
    public async Task Messages_queued_together_leave_in_one_write_as_one_frame_each()
    {
        await using var wire = new Wire();
        var writer = wire.Writer(maxBatch: 64 * 1024);
        var sent = Enumerable.Range(0, 10).Select(i => $"{{\"n\":{i}}}").ToArray();
        foreach (var message in sent)
        {
            Assert.True(writer.TryEnqueue(Encoding.UTF8.GetBytes(message)));
        }

        writer.Complete(discardQueued: false);
        await writer.RunAsync();

        Assert.Equal(1, wire.Writes);
        Assert.Equal(sent, await wire.ReceiveAsync(sent.Length));
    }

    [Fact]
    public async Task A_batch_is_written_every_max_batch_size_bytes()
    {
        await using var wire = new Wire();
        var writer = wire.Writer(maxBatch: 4096);
        var sent = Enumerable.Range(0, 10).Select(i => i + new string('x', 999)).ToArray(); // 1,000 bytes each
        foreach (var message in sent)
        {
            Assert.True(writer.TryEnqueue(Encoding.UTF8.GetBytes(message)));
        }

        writer.Complete(discardQueued: false);
        await writer.RunAsync();

        Assert.Equal(2, wire.Writes); // After the fifth message (5,000 bytes >= 4,096) and after the last.
        Assert.Equal(sent, await wire.ReceiveAsync(sent.Length));
    }

    [Fact]
    public async Task A_frame_the_socket_sends_on_its_own_while_the_writer_is_idle_is_written_at_once()
    {
        await using var wire = new Wire();
        var writer = wire.Writer(maxBatch: 64 * 1024);
        Assert.True(writer.TryEnqueue("{\"n\":1}"u8.ToArray()));
        writer.Complete(discardQueued: false);
        await writer.RunAsync();

        await wire.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);

        Assert.Equal(2, wire.Writes);
        Assert.Equal(["{\"n\":1}"], await wire.ReceiveAsync(1));
        var close = await wire.Client.ReceiveAsync(new byte[16], CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
    }

    /// <summary>A server WebSocket over a coalescing stream whose upgraded stream is a pair of pipes, and a client WebSocket on the other ends.</summary>
    private sealed class Wire : IAsyncDisposable
    {
        private readonly Pipe _toClient = new();
        private readonly Pipe _toServer = new();
        private readonly DuplexStream _upgraded;

        public Wire()
        {
            _upgraded = new DuplexStream(_toServer.Reader.AsStream(), _toClient.Writer.AsStream());
            var stream = new CoalescingStream(_upgraded);
            Socket = new CoalescingWebSocket(WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true }), stream);
            Client = WebSocket.CreateFromStream(new DuplexStream(_toClient.Reader.AsStream(), _toServer.Writer.AsStream()), new WebSocketCreationOptions { IsServer = false });
        }

        public CoalescingWebSocket Socket { get; }

        public WebSocket Client { get; }

        /// <summary>Writes that reached the upgraded stream: on Kestrel each is one flush of the output, one send.</summary>
        public int Writes => _upgraded.Writes;

        public ConnectionWriter Writer(int maxBatch) => new(Socket, limit: 1 << 20, batch: false, maxBatch, onOverflow: () => { });

        public async Task<string[]> ReceiveAsync(int count)
        {
            var messages = new List<string>();
            var buffer = new byte[64 * 1024];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (messages.Count < count)
            {
                var result = await Client.ReceiveAsync(buffer, timeout.Token);
                Assert.True(result.EndOfMessage, "each message is one whole frame");
                messages.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
            }

            return [.. messages];
        }

        public async ValueTask DisposeAsync()
        {
            Socket.Abort();
            Client.Abort();
            await _toClient.Writer.CompleteAsync();
            await _toServer.Writer.CompleteAsync();
        }
    }

    private sealed class DuplexStream(Stream read, Stream write) : Stream
    {
        public int Writes { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => read.ReadAsync(buffer, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => read.Read(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return write.WriteAsync(buffer, cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count) => write.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => write.FlushAsync(cancellationToken);

        public override void Flush() => write.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
