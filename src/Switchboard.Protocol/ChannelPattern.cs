namespace Switchboard.Protocol;

/// <summary>
/// A subscription target: a concrete channel name or a NATS-style wildcard pattern
/// (<c>*</c> = exactly one segment, <c>&gt;</c> = one or more trailing segments).
/// </summary>
/// <remarks>Thread safety: immutable, safe to share between threads.</remarks>
public sealed class ChannelPattern : IEquatable<ChannelPattern>
{
    private readonly string[]? _segments;

    private ChannelPattern(string value, string[]? segments)
    {
        Value = value;
        _segments = segments;
    }

    /// <summary>The pattern as written.</summary>
    public string Value { get; }

    /// <summary>Whether the pattern contains a wildcard segment.</summary>
    public bool IsWildcard => _segments is not null;

    /// <summary>Parses a channel name or pattern; returns <see langword="false"/> with a message when invalid.</summary>
    public static bool TryParse(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChannelPattern? pattern, out string? error)
    {
        error = ChannelName.Validate(value, allowWildcards: true);
        if (error is not null)
        {
            pattern = null;
            return false;
        }

        pattern = value.AsSpan().ContainsAny('*', '>') ? new ChannelPattern(value, value.Split('.')) : new ChannelPattern(value, null);
        return true;
    }

    /// <summary>Parses a channel name or pattern, throwing <see cref="ArgumentException"/> when invalid.</summary>
    public static ChannelPattern Parse(string value) =>
        TryParse(value, out var pattern, out var error) ? pattern : throw new ArgumentException(error, nameof(value));

    /// <summary>Whether the concrete channel <paramref name="channel"/> matches this pattern.</summary>
    public bool Matches(ReadOnlySpan<char> channel)
    {
        if (_segments is null)
        {
            return channel.SequenceEqual(Value);
        }

        var rest = channel;
        for (var i = 0; i < _segments.Length; i++)
        {
            var pattern = _segments[i];
            if (rest.IsEmpty)
            {
                return false;
            }

            if (pattern == ">")
            {
                return true;
            }

            var dot = rest.IndexOf('.');
            var segment = dot < 0 ? rest : rest[..dot];
            if (pattern != "*" && !segment.SequenceEqual(pattern))
            {
                return false;
            }

            if (dot < 0)
            {
                return i == _segments.Length - 1;
            }

            rest = rest[(dot + 1)..];
        }

        return false;
    }

    /// <inheritdoc />
    public bool Equals(ChannelPattern? other) => other is not null && other.Value == Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ChannelPattern);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Value;
}
