namespace Switchboard.Protocol;

/// <summary>
/// Validation of channel names: 1-255 characters of <c>A-Z a-z 0-9 _ - . : @ /</c>, dot-separated segments, none empty.
/// </summary>
public static class ChannelName
{
    /// <summary>The longest channel name or pattern, in characters.</summary>
    public const int MaxLength = 255;

    /// <summary>Whether <paramref name="name"/> is a valid concrete channel name (no wildcards).</summary>
    public static bool IsValid(ReadOnlySpan<char> name) => Validate(name, allowWildcards: false) is null;

    /// <summary>
    /// Checks a channel name or, with <paramref name="allowWildcards"/>, a subscription pattern.
    /// Returns <see langword="null"/> when valid, otherwise a short message that says what is wrong.
    /// </summary>
    public static string? Validate(ReadOnlySpan<char> name, bool allowWildcards)
    {
        if (name.IsEmpty)
        {
            return "channel is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"channel is longer than {MaxLength} characters";
        }

        var segmentStart = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '.')
            {
                if (!IsNameChar(name[i]) && name[i] is not ('*' or '>'))
                {
                    return "channel contains a character outside A-Z a-z 0-9 _ - . : @ /";
                }

                continue;
            }

            var segment = name[segmentStart..i];
            if (segment.IsEmpty)
            {
                return "channel has an empty segment";
            }

            if (segment.ContainsAny('*', '>'))
            {
                if (!allowWildcards)
                {
                    return "wildcards are only allowed in subscribe";
                }

                if (segment.Length != 1)
                {
                    return "a wildcard must be a whole segment";
                }

                if (segment[0] == '>' && i != name.Length)
                {
                    return "'>' is only allowed as the last segment";
                }
            }

            segmentStart = i + 1;
        }

        return null;
    }

    private static bool IsNameChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or ':' or '@' or '/';
}
