using System.Buffers;
using System.Buffers.Text;

namespace Switchboard.Bench;

/// <summary>
/// The bench payload: <c>{"s":SEQUENCE,"t":TIMESTAMP,"p":"xxx…"}</c> padded to the asked size, where TIMESTAMP is the
/// publisher's <see cref="System.Diagnostics.Stopwatch"/> reading at the message's scheduled send time. Publisher and
/// subscribers live in one process, so the difference at arrival is the end-to-end latency, with no clock to synchronise.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
internal static class PayloadCodec
{
    private static readonly byte[] SequenceKey = "\"s\":"u8.ToArray();
    private static readonly byte[] TimestampKey = "\"t\":"u8.ToArray();
    private static readonly byte[] OffsetKey = "\"offset\":"u8.ToArray();

    /// <summary>Writes a payload of (at least) <paramref name="size"/> bytes.</summary>
    public static void Write(IBufferWriter<byte> output, long sequence, long timestamp, int size)
    {
        Span<byte> head = stackalloc byte[64];
        var length = 0;
        "{\"s\":"u8.CopyTo(head);
        length += 5;
        Utf8Formatter.TryFormat(sequence, head[length..], out var written);
        length += written;
        ",\"t\":"u8.CopyTo(head[length..]);
        length += 5;
        Utf8Formatter.TryFormat(timestamp, head[length..], out written);
        length += written;
        ",\"p\":\""u8.CopyTo(head[length..]);
        length += 6;
        var padding = Math.Max(0, size - length - 2);
        var span = output.GetSpan(length + padding + 2);
        head[..length].CopyTo(span);
        span.Slice(length, padding).Fill((byte)'x');
        span[length + padding] = (byte)'"';
        span[length + padding + 1] = (byte)'}';
        output.Advance(length + padding + 2);
    }

    /// <summary>Finds the sequence number and timestamp in a message that carries a payload.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out long sequence, out long timestamp)
    {
        timestamp = 0;
        return TryReadNumber(message, SequenceKey, out sequence) && TryReadNumber(message, TimestampKey, out timestamp);
    }

    /// <summary>The Switchboard stream offset of a <c>message</c>, or 0 when there is none.</summary>
    public static long ReadOffset(ReadOnlySpan<byte> message) => TryReadNumber(message, OffsetKey, out var offset) ? offset : 0;

    private static bool TryReadNumber(ReadOnlySpan<byte> message, ReadOnlySpan<byte> key, out long value)
    {
        var at = message.IndexOf(key);
        if (at < 0)
        {
            value = 0;
            return false;
        }

        return Utf8Parser.TryParse(message[(at + key.Length)..], out value, out _);
    }
}
