using Switchboard.Protocol;

namespace Switchboard.Server.Security;

/// <summary>What a client wants to do on a channel.</summary>
public enum ChannelAction
{
    /// <summary>Receive the channel's publications.</summary>
    Subscribe,
    /// <summary>Publish to the channel.</summary>
    Publish,
    /// <summary>See who is subscribed.</summary>
    Presence,
    /// <summary>Read retained publications.</summary>
    History,
}

/// <summary>Decides whether an identity may perform an action on a channel or pattern.</summary>
/// <remarks>Thread safety: implementations are called from many connections at once.</remarks>
public interface IChannelAuthorizer
{
    /// <summary>Returns whether <paramref name="identity"/> may do <paramref name="action"/> on <paramref name="channel"/>.</summary>
    bool IsAllowed(ConnectionIdentity identity, ChannelAction action, ChannelPattern channel);
}

/// <summary>The development-mode authorizer: everything is allowed on every valid channel.</summary>
public sealed class OpenChannelAuthorizer : IChannelAuthorizer
{
    /// <inheritdoc />
    public bool IsAllowed(ConnectionIdentity identity, ChannelAction action, ChannelPattern channel) => true;
}
