using System.Buffers;
using System.Text.Json;
using Switchboard.Protocol;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>
/// The body of a proxy call: <c>{"client","user","transport":"websocket","channel"}</c> plus <c>data</c> (publish, rpc),
/// <c>method</c> (rpc) and <c>since</c> (subscribe). The client's raw JSON <c>data</c> is copied as it came, not re-encoded.
/// </summary>
internal readonly record struct ProxyRequest(string Client, string? User, string? Channel, ReadOnlyMemory<byte> Data = default, string? Method = null, StreamPosition? Since = null)
{
    public void WriteTo(IBufferWriter<byte> buffer)
    {
        using var w = new Utf8JsonWriter(buffer);
        w.WriteStartObject();
        w.WriteString("client"u8, Client);
        if (User is null)
        {
            w.WriteNull("user"u8);
        }
        else
        {
            w.WriteString("user"u8, User);
        }

        w.WriteString("transport"u8, "websocket"u8);
        if (Channel is not null)
        {
            w.WriteString("channel"u8, Channel);
        }

        if (Method is not null)
        {
            w.WriteString("method"u8, Method);
        }

        if (!Data.IsEmpty)
        {
            w.WritePropertyName("data"u8);
            w.WriteRawValue(Data.Span, skipInputValidation: true); // Checked already: by CommandParser, or ProxyConnectData for connect data.
        }

        if (Since is { } since)
        {
            w.WriteStartObject("since"u8);
            MessageWriter.WritePosition(w, since);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
