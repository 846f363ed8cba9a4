using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Redis.Internal;

/// <summary>
/// One PUBLISH on the control bus channel: <c>{kind}{origin node}\n</c>, then each message as
/// <c>{to node, empty for all}\n</c>, a 4-byte big-endian length and the message bytes. Kind <c>m</c> carries messages
/// (none: a heartbeat), kind <c>b</c> says the node is stopping on purpose. The origin lets a node drop its own frames.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
internal static class ControlFrame
{
    public const byte Messages = (byte)'m';
    public const byte Bye = (byte)'b';

    /// <summary>Above this a batch is split over several frames, so one PUBLISH never grows without bound.</summary>
    public const int MaxFrameBytes = 256 * 1024;

    public static byte[] Encode(byte kind, string origin, IReadOnlyList<(string? To, ReadOnlyMemory<byte> Message)> messages, int start, int count)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + messages.Skip(start).Take(count).Sum(static m => m.Message.Length + 40));
        buffer.Write([kind]);
        buffer.Write(Encoding.ASCII.GetBytes(origin + "\n"));
        for (var i = start; i < start + count; i++)
        {
            var (to, message) = messages[i];
            buffer.Write(Encoding.ASCII.GetBytes((to ?? string.Empty) + "\n"));
            BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), message.Length);
            buffer.Advance(4);
            buffer.Write(message.Span);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads the header; throws <see cref="FormatException"/> for a frame that is not one.</summary>
    public static (byte Kind, string Origin, int BodyStart) ReadHeader(ReadOnlySpan<byte> frame)
    {
        var newline = frame.IndexOf((byte)'\n');
        if (frame.Length < 2 || newline < 2 || frame[0] is not (Messages or Bye))
        {
            throw new FormatException("not a control frame");
        }

        return (frame[0], Encoding.ASCII.GetString(frame[1..newline]), newline + 1);
    }

    /// <summary>The messages of a frame body, in order. Throws <see cref="FormatException"/> when truncated.</summary>
    public static List<(string To, ReadOnlyMemory<byte> Message)> ReadMessages(ReadOnlyMemory<byte> frame, int bodyStart)
    {
        var messages = new List<(string, ReadOnlyMemory<byte>)>();
        var position = bodyStart;
        while (position < frame.Length)
        {
            var span = frame.Span[position..];
            var newline = span.IndexOf((byte)'\n');
            if (newline < 0 || span.Length < newline + 5)
            {
                throw new FormatException("truncated control frame");
            }

            var to = Encoding.ASCII.GetString(span[..newline]);
            var length = BinaryPrimitives.ReadInt32BigEndian(span[(newline + 1)..]);
            var begin = position + newline + 5;
            if (length < 0 || begin + length > frame.Length)
            {
                throw new FormatException("truncated control frame");
            }

            messages.Add((to, frame[begin..(begin + length)]));
            position = begin + length;
        }

        return messages;
    }
}
