using System.Text.Json.Nodes;

namespace Switchboard.Testing;

/// <summary>Thrown by <see cref="SwitchboardTestClient.ExpectNoMessageAsync"/> when a message arrived after all.</summary>
public sealed class UnexpectedMessageException : Exception
{
    /// <summary>Creates the exception for <paramref name="received"/>.</summary>
    public UnexpectedMessageException(JsonObject received)
        : base($"expected no message, but got {received.ToJsonString()}") => Received = received;

    /// <summary>The message that arrived.</summary>
    public JsonObject Received { get; }
}
