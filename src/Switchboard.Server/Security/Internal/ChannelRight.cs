namespace Switchboard.Server.Security.Internal;

/// <summary>One right of a channel rule: who may do an action.</summary>
/// <remarks>Thread safety: immutable.</remarks>
internal readonly record struct ChannelRight(ChannelRightKind Kind, string? Role)
{
    public static ChannelRight None => new(ChannelRightKind.None, null);

    public static bool TryParse(string? text, out ChannelRight right)
    {
        var value = text?.Trim() ?? string.Empty;
        right = value switch
        {
            "" or "none" => None,
            "anyone" => new ChannelRight(ChannelRightKind.Anyone, null),
            "authenticated" => new ChannelRight(ChannelRightKind.Authenticated, null),
            "user" => new ChannelRight(ChannelRightKind.User, null),
            _ when value.StartsWith("role:", StringComparison.Ordinal) && value.Length > 5 => new ChannelRight(ChannelRightKind.Role, value[5..]),
            _ => new ChannelRight((ChannelRightKind)(-1), null),
        };
        return (int)right.Kind >= 0;
    }
}

/// <summary>The kinds of <see cref="ChannelRight"/>.</summary>
internal enum ChannelRightKind
{
    None,
    Anyone,
    Authenticated,
    Role,
    User,
}
