namespace Switchboard.Protocol;

/// <summary>
/// The wire rule for a publish's idempotency <c>key</c>: 1-64 characters, not starting with a prefix reserved for
/// keys the server makes itself (<see cref="ReservedPrefix"/>, the NATS bridge's).
/// </summary>
/// <remarks>
/// The server stores each key scoped by where it came from (a client's by its user, application code's and each
/// bridge's apart), so keys from different sources never collide; the reserved prefix makes an attempt to pass for the
/// bridge an error instead of a key that silently means something else. Thread safety: stateless.
/// </remarks>
public static class PublishKey
{
    /// <summary>The longest key, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>The prefix of the NATS bridge's keys (<c>nats:</c> + a message id, or stream and sequence).</summary>
    public const string ReservedPrefix = "nats:";

    /// <summary>Returns <see langword="null"/> when <paramref name="key"/> may be given, otherwise what is wrong with it.</summary>
    public static string? Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > MaxLength)
        {
            return $"key must be 1-{MaxLength} characters";
        }

        return key.StartsWith(ReservedPrefix, StringComparison.Ordinal)
            ? $"keys starting with '{ReservedPrefix}' are reserved for the NATS bridge"
            : null;
    }
}
