using System.Buffers.Binary;
using Switchboard.Server.Transport;

namespace Switchboard.Server.Tests.Transport;

/// <summary>
/// The frame-size guard follows client frames (masked, 7-, 16- and 64-bit lengths) through reads split anywhere, and
/// reports a data frame that declares more than the limit the moment its header is complete, and nothing else.
/// </summary>
public sealed class FrameSizeGuardTests
{
    private const int Limit = 1000;

    [Fact]
    public void Frames_within_the_limit_split_at_every_byte_boundary_never_trip_it()
    {
        var stream = Concat(Frame(0x1, 5), Frame(0x9, 125), Frame(0x1, 126), Frame(0x0, Limit), Frame(0x2, 300, longLength: true), Frame(0xA, 0));
        foreach (var chunk in new[] { 1, 2, 3, 7, 13, 64, stream.Length })
        {
            var guard = new FrameSizeGuard(Limit);
            for (var i = 0; i < stream.Length; i += chunk)
            {
                guard.Observe(stream.AsSpan(i, Math.Min(chunk, stream.Length - i)));
            }

            Assert.False(guard.Exceeded, $"tripped with reads of {chunk} bytes");
        }
    }

    [Theory]
    [InlineData(Limit + 1, false)]
    [InlineData(1L << 62, true)]
    [InlineData(ulong.MaxValue, true)]
    public void A_data_frame_declaring_more_trips_it_when_the_last_header_byte_arrives(ulong declared, bool longLength)
    {
        var calls = 0;
        var guard = new FrameSizeGuard(Limit) { OnExceeded = () => calls++ };
        var before = Concat(Frame(0x1, 10), Frame(0x9, 4));
        var header = Header(0x1, declared, longLength || declared > ushort.MaxValue);
        guard.Observe(before);
        guard.Observe(header.AsSpan(0, header.Length - 1));
        Assert.False(guard.Exceeded);
        guard.Observe(header.AsSpan(header.Length - 1));
        Assert.True(guard.Exceeded);
        guard.Observe(new byte[4096]);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void A_handler_set_after_the_limit_was_passed_is_called_at_once()
    {
        var guard = new FrameSizeGuard(Limit);
        guard.Observe(Header(0x2, 1L << 40, longLength: true));
        var called = false;
        guard.OnExceeded = () => called = true;
        Assert.True(called);
    }

    private static byte[] Frame(byte opcode, int length, bool longLength = false)
    {
        var header = Header(opcode, (ulong)length, longLength);
        var frame = new byte[header.Length + length];
        header.CopyTo(frame, 0);
        Random.Shared.NextBytes(frame.AsSpan(header.Length));
        return frame;
    }

    /// <summary>A masked client frame header in the shortest length form, or the 64-bit one when asked.</summary>
    private static byte[] Header(byte opcode, ulong length, bool longLength)
    {
        var extended = longLength ? 8 : length < 126 ? 0 : length <= ushort.MaxValue ? 2 : 8;
        var header = new byte[2 + extended + 4];
        header[0] = (byte)(0x80 | opcode);
        header[1] = (byte)(0x80 | (extended switch { 0 => (int)length, 2 => 126, _ => 127 }));
        if (extended == 2)
        {
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)length);
        }
        else if (extended == 8)
        {
            BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), length);
        }

        Random.Shared.NextBytes(header.AsSpan(2 + extended)); // The masking key.
        return header;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
