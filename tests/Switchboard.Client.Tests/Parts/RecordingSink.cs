using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Client.Internal;

namespace Switchboard.Client.Tests.Parts;

/// <summary>The send side of a connection, reduced to what the parts under test hand it: the frames, in order.</summary>
internal sealed class RecordingSink : IFrameSink
{
    private readonly List<string> _frames = [];

    /// <summary>The window the "connection" announces (a server's rate limit sets it).</summary>
    public int CommandWindow { get; init; } = int.MaxValue;

    /// <summary>Whether the "connection" is closing and refuses frames.</summary>
    public bool Closing { get; set; }

    public IReadOnlyList<string> Frames
    {
        get
        {
            lock (_frames)
            {
                return [.. _frames];
            }
        }
    }

    public IEnumerable<JsonObject> Commands => Frames.Select(f => JsonNode.Parse(f)!.AsObject());

    public bool Send(ReadOnlyMemory<byte> frame)
    {
        if (Closing)
        {
            return false;
        }

        lock (_frames)
        {
            _frames.Add(Encoding.UTF8.GetString(frame.Span));
        }

        return true;
    }
}
