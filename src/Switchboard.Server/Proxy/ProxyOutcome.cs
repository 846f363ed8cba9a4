using System.Text.Json;
using Switchboard.Protocol;

namespace Switchboard.Server.Proxy;

/// <summary>
/// What a call to the application's backend came to (docs/proxy.md): its <c>result</c> (<see cref="Result"/>: the
/// command goes ahead), its <c>error</c> for the command (<see cref="Error"/>), its <c>disconnect</c>
/// (<see cref="DisconnectCode"/>), or a failure of the call itself (<see cref="FailureReason"/>, with
/// <see cref="Error"/> <c>unavailable</c>): fail closed, a failed call never reads as an allow.
/// </summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed record ProxyOutcome
{
    /// <summary>The <c>result</c> object, when the backend gave one: <see langword="null"/> for every refusal and failure.</summary>
    public JsonElement? Result { get; internal init; }

    /// <summary>The backend's refusal (its <c>error</c>, with a code the protocol knows), or <c>unavailable</c> when the call failed.</summary>
    public ProtocolError? Error { get; internal init; }

    /// <summary>The close code the backend asked for (3000-4999), or <see langword="null"/>.</summary>
    public int? DisconnectCode { get; internal init; }

    /// <summary>The close reason the backend gave with <see cref="DisconnectCode"/> (at most 123 bytes of UTF-8).</summary>
    public string DisconnectReason { get; internal init; } = string.Empty;

    /// <summary>
    /// Why the call failed (the metrics' <c>error.type</c>: <c>timeout</c>, <c>circuit_open</c>, <c>overloaded</c>,
    /// <c>http_status</c>, <c>invalid_response</c>, <c>too_large</c>, <c>unreachable</c>, <c>cancelled</c>), or
    /// <see langword="null"/> when the backend answered.
    /// </summary>
    public string? FailureReason { get; internal init; }

    /// <summary>Whether the backend answered with a <c>result</c>: the only outcome that allows anything.</summary>
    public bool IsAllowed => Result is not null;

    /// <summary>The <c>data</c> member of <see cref="Result"/>, when it has one.</summary>
    public JsonElement? ResultData => Result is { ValueKind: JsonValueKind.Object } result && result.TryGetProperty("data", out var data) ? data : null;

    internal static ProxyOutcome Failed(string reason) =>
        new() { FailureReason = reason, Error = new ProtocolError(ErrorCodes.Unavailable, "the application's backend did not answer, try again") };
}
