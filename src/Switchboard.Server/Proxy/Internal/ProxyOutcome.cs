using System.Text.Json;
using Switchboard.Protocol;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>
/// What a proxy call came to: the backend's <c>result</c> (<see cref="Result"/>), its <c>error</c> for the command
/// (<see cref="Error"/>), its <c>disconnect</c> (<see cref="DisconnectCode"/>), or a failure of the call itself
/// (<see cref="FailureReason"/>: the client gets <c>unavailable</c>, never an allow).
/// </summary>
internal sealed record ProxyOutcome
{
    /// <summary>The <c>result</c> object (detached from the response's buffer), when the backend gave one.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>The backend's refusal, or <c>unavailable</c> when the call failed.</summary>
    public ProtocolError? Error { get; init; }

    /// <summary>The close code the backend asked for.</summary>
    public int? DisconnectCode { get; init; }

    /// <summary>The close reason the backend gave with <see cref="DisconnectCode"/>.</summary>
    public string DisconnectReason { get; init; } = string.Empty;

    /// <summary>Why the call failed (a metrics tag: <c>timeout</c>, <c>circuit_open</c>, ...), or <see langword="null"/> when the backend answered.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The <c>data</c> member of <see cref="Result"/>, when it has one.</summary>
    public JsonElement? ResultData => Result is { ValueKind: JsonValueKind.Object } result && result.TryGetProperty("data", out var data) ? data : null;

    public static ProxyOutcome Failed(string reason) =>
        new() { FailureReason = reason, Error = new ProtocolError(ErrorCodes.Unavailable, "the application's backend did not answer, try again") };
}
