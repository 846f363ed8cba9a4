using System.Buffers;

namespace Switchboard.Protocol;

/// <summary>
/// One publication on a channel, with its wire form (<c>{"type":"message",...}</c>) encoded once, on first use, and
/// then shared by every subscriber and every history read.
/// </summary>
/// <remarks>Thread safety: immutable; <see cref="Encoded"/> may be called from many threads at once.</remarks>
public sealed class Publication
{
    private byte[]? _encoded;

    /// <summary>Creates a publication.</summary>
    /// <param name="channel">The concrete channel it was published to.</param>
    /// <param name="data">The raw JSON value published. Must be valid JSON: it is written to the wire as is.</param>
    /// <param name="offset">Its offset in the channel's stream.</param>
    /// <param name="epoch">The epoch of the channel's stream.</param>
    /// <param name="from">The publishing client, or <see langword="null"/> for the server and its HTTP API.</param>
    /// <param name="timestamp">Unix time in milliseconds when it was published.</param>
    public Publication(string channel, ReadOnlyMemory<byte> data, long offset, string epoch, PublisherInfo? from, long timestamp)
    {
        Channel = channel;
        Data = data;
        Offset = offset;
        Epoch = epoch;
        From = from;
        Timestamp = timestamp;
    }

    /// <summary>The concrete channel.</summary>
    public string Channel { get; }

    /// <summary>The raw JSON value.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The offset in the channel's stream.</summary>
    public long Offset { get; }

    /// <summary>The epoch of the channel's stream.</summary>
    public string Epoch { get; }

    /// <summary>Who published it; <see langword="null"/> for the server.</summary>
    public PublisherInfo? From { get; }

    /// <summary>Unix time in milliseconds.</summary>
    public long Timestamp { get; }

    /// <summary>The <c>message</c> wire form, encoded on first use and cached.</summary>
    public ReadOnlyMemory<byte> Encoded
    {
        get
        {
            var encoded = Volatile.Read(ref _encoded);
            if (encoded is null)
            {
                // Two threads may both encode; the bytes are identical and one copy wins. Cheaper than a lock.
                var buffer = new ArrayBufferWriter<byte>(Data.Length + 160 + Channel.Length);
                MessageWriter.WritePublication(buffer, this);
                Interlocked.CompareExchange(ref _encoded, buffer.WrittenSpan.ToArray(), null);
                encoded = _encoded!;
            }

            return encoded;
        }
    }
}

/// <summary>The client that published a publication.</summary>
/// <param name="Client">The connection id.</param>
/// <param name="User">The user id, or <see langword="null"/> when anonymous.</param>
public sealed record PublisherInfo(string Client, string? User);
