namespace Switchboard.Protocol;

/// <summary>A documented protocol error: one of <see cref="ErrorCodes"/> and a short message that says what was wrong.</summary>
/// <param name="Code">One of <see cref="ErrorCodes"/>.</param>
/// <param name="Message">A short human-readable explanation. Never a stack trace or a secret.</param>
public sealed record ProtocolError(string Code, string Message)
{
    /// <summary>
    /// For <see cref="ErrorCodes.RateLimited"/>: how long to wait before the command can succeed (<c>retry_after_ms</c>
    /// on the wire); <see langword="null"/> when the error carries no hint.
    /// </summary>
    public int? RetryAfterMs { get; init; }

    /// <summary>Creates a <see cref="ErrorCodes.BadRequest"/> error.</summary>
    public static ProtocolError BadRequest(string message) => new(ErrorCodes.BadRequest, message);
}
