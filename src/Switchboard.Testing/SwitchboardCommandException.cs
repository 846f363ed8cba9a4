using System.Text.Json.Nodes;

namespace Switchboard.Testing;

/// <summary>A command sent by <see cref="SwitchboardTestClient.OkAsync"/> got a failed <c>result</c>; the message shows the whole reply.</summary>
public sealed class SwitchboardCommandException : Exception
{
    /// <summary>Creates the exception for a failed <c>result</c> message.</summary>
    public SwitchboardCommandException(JsonObject reply)
        : base($"command failed: {reply?.ToJsonString()}")
    {
        Reply = reply ?? [];
    }

    /// <summary>The failed <c>result</c> message.</summary>
    public JsonObject Reply { get; }

    /// <summary>The error code of the reply (e.g. <c>forbidden</c>), or <see langword="null"/>.</summary>
    public string? Code => Reply["error"]?["code"]?.GetValue<string>();
}
