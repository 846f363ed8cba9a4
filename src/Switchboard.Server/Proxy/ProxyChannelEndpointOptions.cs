using Switchboard.Protocol;

namespace Switchboard.Server.Proxy;

/// <summary>A channel call (subscribe, publish): enabled by its URL, for the channels its patterns match.</summary>
public sealed class ProxyChannelEndpointOptions : ProxyEndpointOptions
{
    private ChannelPattern[]? _patterns;

    /// <summary>The channel patterns the call applies to (<c>orders.*</c>, <c>chat.&gt;</c>); empty for every channel (the default).</summary>
    public List<string> Channels { get; } = [];

    /// <summary>Whether a command on <paramref name="channel"/> goes to the backend.</summary>
    internal bool AppliesTo(string channel)
    {
        if (!IsEnabled)
        {
            return false;
        }

        var patterns = _patterns ??= [.. Channels.Select(ChannelPattern.Parse)]; // Valid: checked at start.
        if (patterns.Length == 0)
        {
            return true;
        }

        foreach (var pattern in patterns)
        {
            if (pattern.Matches(channel))
            {
                return true;
            }
        }

        return false;
    }
}
