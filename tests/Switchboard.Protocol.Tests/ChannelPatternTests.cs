using Switchboard.Protocol;

namespace Switchboard.Protocol.Tests;

public sealed class ChannelPatternTests
{
    [Theory]
    [InlineData("a", "a", true)]
    [InlineData("a", "b", false)]
    [InlineData("order.*", "order.created", true)]
    [InlineData("order.*", "order", false)]
    [InlineData("order.*", "order.created.eu", false)]
    [InlineData("*.created", "order.created", true)]
    [InlineData("*", "order", true)]
    [InlineData("*", "order.created", false)]
    [InlineData("sensors.>", "sensors.a", true)]
    [InlineData("sensors.>", "sensors.a.b.c", true)]
    [InlineData("sensors.>", "sensors", false)]
    [InlineData(">", "anything.at.all", true)]
    [InlineData("a.*.c.>", "a.b.c.d", true)]
    [InlineData("a.*.c.>", "a.b.c", false)]
    [InlineData("a.*.c.>", "a.b.x.d", false)]
    public void Matches(string pattern, string channel, bool expected) =>
        Assert.Equal(expected, ChannelPattern.Parse(pattern).Matches(channel));

    [Theory]
    [InlineData("user:alice@example.com/inbox")]
    [InlineData("a-b_c.d")]
    [InlineData("A.Z.0.9")]
    public void Valid_names(string name) => Assert.True(ChannelName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData("a..b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("caf\u00e9")]
    [InlineData("\u0430dmin")] // Cyrillic 'а' that looks like Latin 'a'
    [InlineData("a*")]
    [InlineData("a.*")]
    public void Invalid_concrete_names(string name) => Assert.False(ChannelName.IsValid(name));
}
