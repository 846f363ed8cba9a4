using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchboard.Protocol;

/// <summary>
/// One <see cref="Utf8JsonWriter"/> per thread, reset onto each output, shared by the server's and the client's writers
/// so that writing a message allocates no writer.
/// </summary>
internal static class PooledJsonWriter
{
    /// <summary>Relaxed escaping: the output is JSON on a WebSocket, never inlined into HTML, so non-ASCII stays readable.</summary>
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static Utf8JsonWriter Rent(IBufferWriter<byte> output)
    {
        var writer = t_writer;
        if (writer is null)
        {
            return new Utf8JsonWriter(output, Options);
        }

        // Taken off the thread while in use, so a nested call (a writer callback that writes another message) gets its own.
        t_writer = null;
        writer.Reset(output);
        return writer;
    }

    public static void Return(Utf8JsonWriter writer)
    {
        writer.Flush();
        writer.Reset();
        t_writer = writer;
    }
}
