using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>
/// The broker channels behind a handler's audiences. A handler broadcast is a publication on one of these (encoded
/// once, carried by the broker to every node that has a member, fanned out like any publication):
/// <c>sb:handler.{handler}.all</c>, <c>.g.{group}</c>, <c>.u.{user}</c> and <c>.r.{role}</c>. The <c>sb:handler</c>
/// namespace is reserved: built-in clients can neither use these channels nor receive them through a wildcard.
/// </summary>
internal static class HandlerChannels
{
    /// <summary>The first segment of every handler channel.</summary>
    public const string Prefix = "sb:handler.";

    private const int MaxPlainSegment = 100;

    /// <summary>Whether <paramref name="channel"/> (a name or a pattern) is in the reserved handler namespace.</summary>
    public static bool IsReserved(string channel) => channel.StartsWith(Prefix, StringComparison.Ordinal) || channel == "sb:handler";

    /// <summary>The channel prefix of one handler: <c>sb:handler.{name}.</c>.</summary>
    public static string Namespace(string handlerName) => Prefix + Segment(handlerName) + ".";

    public static string All(string ns) => ns + "all";

    public static string Group(string ns, string group) => Name(ns, 'g', group);

    public static string User(string ns, string userId) => Name(ns, 'u', userId);

    public static string Role(string ns, string role) => Name(ns, 'r', role);

    private static string Name(string ns, char kind, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return IsPlain(value) ? $"{ns}{kind}.{value}" : $"{ns}{kind}x.{Hash(value)}";
    }

    /// <summary>A name used as is when it is one short segment of channel characters; otherwise its SHA-256 (hex).</summary>
    private static string Segment(string value) => IsPlain(value) ? value : Hash(value);

    private static bool IsPlain(string value)
    {
        if (value.Length is 0 or > MaxPlainSegment)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or ':' or '@' or '/'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
