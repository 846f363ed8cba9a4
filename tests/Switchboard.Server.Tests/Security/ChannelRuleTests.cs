using Switchboard.Protocol;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Security;

/// <summary>The rule-based channel authorizer, decision by decision.</summary>
public sealed class ChannelRuleTests
{
    private static readonly RuleChannelAuthorizer Authorizer = new(SecureServerFixture.Rules);

    private static ConnectionIdentity User(string sub, params string[] roles) => new() { UserId = sub, Roles = roles.ToHashSet() };

    [Theory]
    // subscribe: rights per rule, first matching rule wins, no rule = forbidden
    [InlineData("alice", "", ChannelAction.Subscribe, "chat.general", true)]
    [InlineData(null, "", ChannelAction.Subscribe, "chat.general", false)]
    [InlineData(null, "", ChannelAction.Subscribe, "news.today", true)]
    [InlineData("alice", "", ChannelAction.Subscribe, "admin.ops", false)]
    [InlineData("alice", "admin", ChannelAction.Subscribe, "admin.ops", true)]
    [InlineData("alice", "admin", ChannelAction.Subscribe, "secret.plans", false)]
    [InlineData("alice", "admin", ChannelAction.Subscribe, "chat", false)]
    // user channels: the {sub} segment must be the user's own
    [InlineData("alice", "", ChannelAction.Subscribe, "user.alice", true)]
    [InlineData("alice", "", ChannelAction.Subscribe, "user.bob", false)]
    [InlineData("alice", "", ChannelAction.Subscribe, "user.alice.inbox", true)]
    [InlineData("alice", "", ChannelAction.Subscribe, "user.alice.inbox.urgent", true)]
    [InlineData("alice", "", ChannelAction.Subscribe, "user.bob.inbox", false)]
    [InlineData("alice", "", ChannelAction.Publish, "user.alice", false)]
    [InlineData("alice", "admin", ChannelAction.Publish, "user.bob", true)]
    [InlineData("alice", "", ChannelAction.Presence, "user.alice", false)]
    [InlineData("alice", "", ChannelAction.History, "user.alice", true)]
    [InlineData("alice", "admin", ChannelAction.History, "user.bob", false)]
    // wildcards: allowed only when the first overlapping rule covers all of it and allows it
    [InlineData("alice", "", ChannelAction.Subscribe, "chat.*", true)]
    [InlineData("alice", "", ChannelAction.Subscribe, "chat.>", true)]
    [InlineData("alice", "", ChannelAction.Subscribe, "user.*", false)]
    [InlineData("alice", "", ChannelAction.Subscribe, "user.>", false)]
    [InlineData("alice", "", ChannelAction.Subscribe, "user.alice.>", true)]
    [InlineData("alice", "", ChannelAction.Subscribe, "user.alice.*", true)]
    [InlineData("alice", "", ChannelAction.Subscribe, "user.*.inbox", false)]
    [InlineData("alice", "admin", ChannelAction.Subscribe, ">", false)]
    [InlineData("alice", "admin", ChannelAction.Subscribe, "*.ops", false)]
    [InlineData("alice", "admin", ChannelAction.Subscribe, "admin.*", true)]
    // a user id that is itself a wildcard or several segments never matches a user channel by accident
    [InlineData("*", "", ChannelAction.Subscribe, "user.*", false)]
    [InlineData(">", "", ChannelAction.Subscribe, "user.>", false)]
    [InlineData("alice.inbox", "", ChannelAction.Subscribe, "user.alice.inbox", false)]
    public void Rules_decide(string? sub, string roles, ChannelAction action, string channel, bool allowed)
    {
        var identity = sub is null ? ConnectionIdentity.Anonymous : User(sub, roles.Split(',', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(allowed, Authorizer.IsAllowed(identity, action, ChannelPattern.Parse(channel)));
    }

    [Fact]
    public void Channels_claim_narrows_subscribe_only()
    {
        var identity = User("alice") with { AllowedChannels = [ChannelPattern.Parse("chat.room1"), ChannelPattern.Parse("user.alice.>")] };
        Assert.True(Authorizer.IsAllowed(identity, ChannelAction.Subscribe, ChannelPattern.Parse("chat.room1")));
        Assert.False(Authorizer.IsAllowed(identity, ChannelAction.Subscribe, ChannelPattern.Parse("chat.room2")));
        Assert.False(Authorizer.IsAllowed(identity, ChannelAction.Subscribe, ChannelPattern.Parse("chat.*")));
        Assert.True(Authorizer.IsAllowed(identity, ChannelAction.Subscribe, ChannelPattern.Parse("user.alice.inbox")));
        Assert.True(Authorizer.IsAllowed(identity, ChannelAction.Publish, ChannelPattern.Parse("chat.room2")));
    }

    [Theory]
    [InlineData("a..b", "anyone", "Pattern 'a..b' is invalid")]
    [InlineData("chat.>", "everyone", "must be anyone, authenticated, role:NAME, user or none")]
    [InlineData("chat.>", "role:", "must be anyone, authenticated, role:NAME, user or none")]
    [InlineData("chat.>", "user", "has no {sub} segment")]
    [InlineData("user.{sub}.{sub}", "user", "at most one {sub}")]
    [InlineData("user.x{sub}", "anyone", "is invalid")]
    public void Invalid_rules_are_refused_at_start_with_the_setting_named(string pattern, string right, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => new RuleChannelAuthorizer([new ChannelRule { Pattern = pattern, Subscribe = right }]));
        Assert.Contains("Switchboard:Channels:0", ex.Message);
        Assert.Contains(expected, ex.Message);
    }
}
