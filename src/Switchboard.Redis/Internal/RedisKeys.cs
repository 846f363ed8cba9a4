using System.Text;
using StackExchange.Redis;

namespace Switchboard.Redis.Internal;

/// <summary>
/// The Redis key and pub/sub channel layout (documented in docs/scaling.md). Every key of one Switchboard channel
/// carries the channel in a <c>{hash tag}</c>, so that a Lua script touching them all stays in one Redis Cluster slot;
/// channel names cannot contain braces, so the tag is exactly the channel.
/// </summary>
/// <remarks>Thread safety: immutable.</remarks>
internal sealed class RedisKeys
{
    private readonly string _prefix;
    private readonly string _publicationPrefix;
    private readonly string _escapedPublicationPrefix;

    public RedisKeys(string prefix)
    {
        _prefix = prefix;
        _publicationPrefix = prefix + "msg:";
        _escapedPublicationPrefix = EscapeGlob(_publicationPrefix);
    }

    public string Prefix => _prefix;

    /// <summary>Hash with the stream's epoch (<c>e</c>) and last offset (<c>o</c>).</summary>
    public RedisKey Meta(string channel) => $"{_prefix}{{{channel}}}:meta";

    /// <summary>List of retained publications, oldest first.</summary>
    public RedisKey History(string channel) => $"{_prefix}{{{channel}}}:history";

    /// <summary>String holding "offset epoch" of the first publish with an idempotency key.</summary>
    public RedisKey Idempotency(string channel, string key) => $"{_prefix}{{{channel}}}:key:{key}";

    /// <summary>Hash of presence entries: field = client id.</summary>
    public RedisKey Presence(string channel) => $"{_prefix}{{{channel}}}:presence";

    /// <summary>A node's liveness key, refreshed while it runs.</summary>
    public RedisKey Node(string nodeId) => $"{_prefix}node:{nodeId}";

    /// <summary>The control bus's one pub/sub channel, which every node subscribes to.</summary>
    public RedisChannel Control => RedisChannel.Literal(_prefix + "control");

    /// <summary>The pub/sub channel a concrete Switchboard channel is published on.</summary>
    public string PublicationChannel(string channel) => _publicationPrefix + channel;

    /// <summary>
    /// The Redis subscription for a channel or pattern. A Switchboard wildcard (<c>*</c> one segment, <c>&gt;</c> the
    /// rest) becomes the glob <c>*</c>, which is looser (it also crosses dots), so receivers filter with
    /// <c>ChannelPattern.Matches</c>. Channel names hold no other glob character; the prefix is escaped.
    /// </summary>
    public RedisChannel Subscription(Protocol.ChannelPattern pattern)
    {
        if (!pattern.IsWildcard)
        {
            return RedisChannel.Literal(PublicationChannel(pattern.Value));
        }

        var glob = new StringBuilder(_escapedPublicationPrefix, _escapedPublicationPrefix.Length + pattern.Value.Length);
        foreach (var segment in pattern.Value.Split('.'))
        {
            glob.Append(segment is "*" or ">" ? "*" : segment).Append('.');
        }

        glob.Length--;
        return RedisChannel.Pattern(glob.ToString());
    }

    /// <summary>The Switchboard channel of a received pub/sub channel, or <see langword="null"/> when it is not one of ours.</summary>
    public string? ChannelOf(string redisChannel) =>
        redisChannel.StartsWith(_publicationPrefix, StringComparison.Ordinal) ? redisChannel[_publicationPrefix.Length..] : null;

    private static string EscapeGlob(string value)
    {
        var escaped = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
