using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

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

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Encodes the notice for a channel or pattern, exactly as it was subscribed.</summary>
    public static ReadOnlyMemory<byte> Encode(string channel)
    {
        var buffer = new ArrayBufferWriter<byte>(96 + channel.Length);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "unsubscribe");
            w.WriteString("channel"u8, channel);
            w.WriteString("reason"u8, Reason);
            w.WriteBoolean("resubscribe"u8, true);
            w.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }
}
