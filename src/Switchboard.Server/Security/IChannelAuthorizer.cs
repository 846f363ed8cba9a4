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

/// <summary>
/// The development-mode authorizer: everything is allowed on every valid channel, except that an identity with
/// <see cref="ConnectionIdentity.AllowedChannels"/> (the application's backend or sign-in said which channels) may
/// subscribe only to those: a narrowing someone decided is never dropped because no rules are configured.
/// </summary>
public sealed class OpenChannelAuthorizer : IChannelAuthorizer
{
    /// <inheritdoc />
    public bool IsAllowed(ConnectionIdentity identity, ChannelAction action, ChannelPattern channel)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(channel);
        return action != ChannelAction.Subscribe || identity.AllowedChannels is not { } allowed || RuleChannelAuthorizer.IsClaimed(allowed, channel.Value.Split('.'));
    }
}
