using Switchboard.Protocol;

namespace Switchboard.Server.Security.Internal;

/// <summary>
/// A channel pattern of a permission rule or a token's <c>channels</c> claim, compared segment by segment with a
/// subscription target. Besides <c>*</c> and <c>&gt;</c> a rule segment may be <c>{sub}</c>, which matches one segment
/// and marks where the channel names its user.
/// </summary>
/// <remarks>Thread safety: immutable.</remarks>
internal sealed class RulePattern
{
    public const string SubPlaceholder = "{sub}";

    private readonly string[] _segments;

    private RulePattern(string value, string[] segments, int subIndex)
    {
        Value = value;
        _segments = segments;
        SubIndex = subIndex;
    }

    public string Value { get; }

    /// <summary>The index of the <c>{sub}</c> segment, or -1.</summary>
    public int SubIndex { get; }

    public static bool TryParse(string value, bool allowSub, out RulePattern? pattern, out string? error)
    {
        pattern = null;
        var subIndex = -1;
        var segments = value.Split('.');
        if (allowSub)
        {
            subIndex = Array.IndexOf(segments, SubPlaceholder);
            if (subIndex >= 0 && Array.LastIndexOf(segments, SubPlaceholder) != subIndex)
            {
                error = "at most one {sub} segment is allowed";
                return false;
            }
        }

        // Validate with the placeholder standing in as a wildcard: it matches exactly one segment, as '*' does.
        var check = subIndex >= 0 ? string.Join('.', segments.Select(s => s == SubPlaceholder ? "*" : s)) : value;
        error = ChannelName.Validate(check, allowWildcards: true);
        if (error is not null)
        {
            return false;
        }

        pattern = new RulePattern(value, segments, subIndex);
        return true;
    }

    /// <summary>Whether some channel matches both this pattern and <paramref name="target"/>.</summary>
    public bool Intersects(string[] target)
    {
        for (var i = 0; ; i++)
        {
            var endR = i == _segments.Length;
            var endT = i == target.Length;
            if (endR || endT)
            {
                return endR && endT;
            }

            var r = _segments[i];
            var t = target[i];
            if (r == ">" || t == ">")
            {
                return true;
            }

            if (!IsOneSegmentWildcard(r) && t != "*" && r != t)
            {
                return false;
            }
        }
    }

    /// <summary>Whether every channel that matches <paramref name="target"/> also matches this pattern.</summary>
    public bool Covers(string[] target)
    {
        for (var i = 0; ; i++)
        {
            var endR = i == _segments.Length;
            var endT = i == target.Length;
            if (endR || endT)
            {
                return endR && endT;
            }

            var r = _segments[i];
            var t = target[i];
            if (r == ">")
            {
                return true;
            }

            if (t == ">")
            {
                return false;
            }

            if (IsOneSegmentWildcard(r))
            {
                continue;
            }

            if (t == "*" || r != t)
            {
                return false;
            }
        }
    }

    private static bool IsOneSegmentWildcard(string segment) => segment is "*" or SubPlaceholder;
}
