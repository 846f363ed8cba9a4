using Switchboard.Protocol;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Security;

/// <summary>
/// Decides channel rights from the configured rules (<see cref="SwitchboardSecurityOptions.Channels"/>): the first rule
/// whose pattern matches the channel decides; a channel no rule matches is forbidden. A token's <c>channels</c> claim
/// further narrows what the connection may subscribe to.
/// </summary>
/// <remarks>
/// A wildcard subscription may reach many channels, so it is allowed only when the first rule it overlaps covers all of
/// it and allows it (and, with a <c>channels</c> claim, one claimed pattern covers all of it). This is stricter than
/// checking channel by channel, never looser. Thread safety: immutable, safe from many threads.
/// </remarks>
public sealed class RuleChannelAuthorizer : IChannelAuthorizer
{
    private readonly CompiledRule[] _rules;

    /// <summary>Compiles <paramref name="rules"/>; throws <see cref="ArgumentException"/> naming the first invalid one.</summary>
    public RuleChannelAuthorizer(IEnumerable<ChannelRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules.Select((rule, index) => CompiledRule.Compile(rule, index, out var error) ?? throw new ArgumentException(error, nameof(rules))).ToArray();
    }

    /// <inheritdoc />
    public bool IsAllowed(ConnectionIdentity identity, ChannelAction action, ChannelPattern channel)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(channel);
        var target = channel.Value.Split('.');
        if (action == ChannelAction.Subscribe && identity.AllowedChannels is { } allowed && !IsClaimed(allowed, target))
        {
            return false;
        }

        foreach (var rule in _rules)
        {
            if (!rule.Pattern.Intersects(target))
            {
                continue;
            }

            return rule.Pattern.Covers(target) && rule.Allows(action, identity, target);
        }

        return false;
    }

    /// <summary>Checks rules for configuration errors; returns one message per invalid rule.</summary>
    internal static IEnumerable<string> Validate(IEnumerable<ChannelRule> rules)
    {
        var index = 0;
        foreach (var rule in rules)
        {
            if (CompiledRule.Compile(rule, index++, out var error) is null)
            {
                yield return error!;
            }
        }
    }

    /// <summary>Whether one of the identity's <paramref name="allowed"/> patterns covers all of <paramref name="target"/> (its segments).</summary>
    internal static bool IsClaimed(IReadOnlyList<ChannelPattern> allowed, string[] target)
    {
        foreach (var pattern in allowed)
        {
            if (RulePattern.TryParse(pattern.Value, allowSub: false, out var claimed, out _) && claimed!.Covers(target))
            {
                return true;
            }
        }

        return false;
    }

    private sealed record CompiledRule(RulePattern Pattern, ChannelRight Subscribe, ChannelRight Publish, ChannelRight Presence, ChannelRight History)
    {
        public static CompiledRule? Compile(ChannelRule rule, int index, out string? error)
        {
            var name = $"Switchboard:Channels:{index}";
            if (!RulePattern.TryParse(rule.Pattern ?? string.Empty, allowSub: true, out var pattern, out var patternError))
            {
                error = $"{name}:Pattern '{rule.Pattern}' is invalid: {patternError}.";
                return null;
            }

            var rights = new ChannelRight[4];
            string?[] texts = [rule.Subscribe, rule.Publish, rule.Presence, rule.History];
            string[] names = ["Subscribe", "Publish", "Presence", "History"];
            for (var i = 0; i < 4; i++)
            {
                if (!ChannelRight.TryParse(texts[i], out rights[i]))
                {
                    error = $"{name}:{names[i]} '{texts[i]}' must be anyone, authenticated, role:NAME, user or none.";
                    return null;
                }

                if (rights[i].Kind == ChannelRightKind.User && pattern!.SubIndex < 0)
                {
                    error = $"{name}:{names[i]} is 'user' but the pattern '{rule.Pattern}' has no {{sub}} segment.";
                    return null;
                }
            }

            error = null;
            return new CompiledRule(pattern!, rights[0], rights[1], rights[2], rights[3]);
        }

        public bool Allows(ChannelAction action, ConnectionIdentity identity, string[] target)
        {
            var right = action switch
            {
                ChannelAction.Subscribe => Subscribe,
                ChannelAction.Publish => Publish,
                ChannelAction.Presence => Presence,
                ChannelAction.History => History,
                _ => ChannelRight.None,
            };
            return right.Kind switch
            {
                ChannelRightKind.Anyone => true,
                ChannelRightKind.Authenticated => identity.IsAuthenticated,
                ChannelRightKind.Role => identity.Roles.Contains(right.Role!),
                ChannelRightKind.User => NamesUser(target, identity.UserId),
                _ => false,
            };
        }

        private bool NamesUser(string[] target, string? userId)
        {
            // A wildcard in the user's position would reach every user's channel, so only a literal equal to sub counts.
            var segment = target[Pattern.SubIndex];
            return userId is not null && segment is not ("*" or ">") && string.Equals(segment, userId, StringComparison.Ordinal);
        }
    }
}
