using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>What this node delivered last on one channel (<see cref="StreamContinuity"/>). Guarded by locking the instance.</summary>
internal sealed class ChannelCursor(string channel, long now)
{
    public readonly string Channel = channel;
    public string? Epoch;
    public long Offset;
    public bool Confirmed;
    public bool Pinned;
    public bool Healing;
    public bool Removed;

    /// <summary>When a publication last passed (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastUsed = now;

    /// <summary>While healing: the live publications that arrived meanwhile, in order.</summary>
    public List<Publication>? Buffer;

    /// <summary>Whether live publications were left out of a full <see cref="Buffer"/> (read from history after).</summary>
    public bool Overflowed;

    public StreamPosition Position => new(Offset, Epoch ?? string.Empty);

    /// <summary>
    /// Whether <paramref name="publication"/> comes right after what was delivered: the next offset of the same epoch,
    /// or offset 1 of any epoch after offset 0 (nothing of any epoch was delivered, so nothing can be missing), as the
    /// clients count (docs/protocol.md, "Gaps"). That is how a stream that was forgotten before its first publication
    /// (the memory broker's sweep, an expired Redis key) continues in its new epoch: as one ordinary publication.
    /// </summary>
    public bool Follows(Publication publication) =>
        publication.Offset == Offset + 1 && (publication.Epoch == Epoch || Offset == 0);

    /// <summary>Whether <paramref name="publication"/> was already delivered (the same one through a channel and a pattern subscription).</summary>
    public bool Delivered(Publication publication) => publication.Epoch == Epoch && publication.Offset <= Offset;

    /// <summary>Whether the cursor moved from <paramref name="position"/>.</summary>
    public bool MovedFrom(StreamPosition position) => Offset != position.Offset || (Epoch ?? string.Empty) != position.Epoch;
}
