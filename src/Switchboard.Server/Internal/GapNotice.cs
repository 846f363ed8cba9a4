using System.Buffers;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// The push that tells a client its subscription's stream cannot continue without a hole (docs/protocol.md, "Gaps"):
/// <c>{"type":"unsubscribe","channel":C,"reason":"insufficient_state","resubscribe":true}</c>, as Centrifugo's
/// "insufficient state" unsubscribe. The client subscribes again with <c>since</c> and gets what it missed, or
/// <c>recovered: false</c>.
/// </summary>
internal static class GapNotice
{
    /// <summary>The <c>reason</c> of the notice.</summary>
    public const string Reason = "insufficient_state";

    /// <summary>Encodes the notice for a channel or pattern, exactly as it was subscribed.</summary>
    public static ReadOnlyMemory<byte> Encode(string channel)
    {
        var buffer = new ArrayBufferWriter<byte>(96 + channel.Length);
        MessageWriter.WriteUnsubscribe(buffer, channel, Reason, resubscribe: true);
        return buffer.WrittenMemory;
    }
}
