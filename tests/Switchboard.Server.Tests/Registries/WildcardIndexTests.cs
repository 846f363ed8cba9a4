using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Switchboard.Protocol;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Tests.Registries;

/// <summary>The wildcard trie finds exactly the patterns <see cref="ChannelPattern.Matches"/> says match, through adds and removes.</summary>
public sealed class WildcardIndexTests
{
    private static readonly string[] Segments = ["a", "b", "c", "*", ">"];

    private static List<string> Visit(WildcardIndex<string> index, string channel)
    {
        var found = new List<string>();
        index.Visit(channel, found, static (pattern, found) =>
        {
            found.Add(pattern);
            return 1;
        });
        return found;
    }

    [Fact]
    public void Star_is_one_segment_and_greater_than_is_one_or_more_trailing_ones()
    {
        var index = new WildcardIndex<string>();
        foreach (var pattern in new[] { "order.*", "order.>", "*.eu", "order.*.eu", ">", "sensors.>" })
        {
            index.Add(ChannelPattern.Parse(pattern), pattern);
        }

        Assert.Equal(["*.eu", ">", "order.*", "order.>"], Visit(index, "order.eu").Order());
        Assert.Equal([">", "order.*.eu", "order.>"], Visit(index, "order.created.eu").Order());
        Assert.Equal([">"], Visit(index, "order"));
        Assert.Equal([">"], Visit(index, "sensors"));
        Assert.Equal(2, index.Visit("order.eu.x", 0, static (_, _) => 1)); // ">" and "order.>", nothing else
    }

    [Fact]
    public void A_removed_pattern_is_no_longer_found_and_its_siblings_stay()
    {
        var index = new WildcardIndex<string>();
        index.Add(ChannelPattern.Parse("a.*.c"), "a.*.c");
        index.Add(ChannelPattern.Parse("a.*"), "a.*");
        index.Add(ChannelPattern.Parse("a.>"), "a.>");
        index.Remove(ChannelPattern.Parse("a.*.c"));
        Assert.Equal(["a.>"], Visit(index, "a.b.c"));
        index.Remove(ChannelPattern.Parse("a.>"));
        Assert.Equal(["a.*"], Visit(index, "a.b"));
        Assert.Empty(Visit(index, "a.b.c"));
        index.Remove(ChannelPattern.Parse("a.*"));
        index.Remove(ChannelPattern.Parse("x.*")); // Never added: nothing happens.
        Assert.Empty(Visit(index, "a.b"));
    }

    [Property(MaxTest = 300)]
    public Property Finds_exactly_the_matching_patterns_after_random_adds_and_removes()
    {
        var pattern = Gen.Elements(Segments).ListOf().Where(l => l.Count is > 0 and <= 4).Select(l => string.Join('.', l))
            .Where(p => ChannelName.Validate(p, allowWildcards: true) is null);
        var channel = Gen.Elements("a", "b", "c").ListOf().Where(l => l.Count is > 0 and <= 5).Select(l => string.Join('.', l));
        var scenario =
            from patterns in pattern.ListOf().Where(l => l.Count > 0)
            from removed in Gen.Elements(true, false).ListOf()
            from channels in channel.ListOf().Where(l => l.Count > 0)
            select (patterns, removed, channels);
        return Prop.ForAll(scenario.ToArbitrary(), s =>
        {
            var index = new WildcardIndex<string>();
            var live = new HashSet<string>();
            foreach (var p in s.patterns)
            {
                index.Add(ChannelPattern.Parse(p), p);
                live.Add(p);
            }

            foreach (var (p, remove) in s.patterns.Zip(s.removed))
            {
                if (remove && live.Remove(p))
                {
                    index.Remove(ChannelPattern.Parse(p));
                }
            }

            return s.channels.All(c =>
                Visit(index, c).Order().SequenceEqual(live.Where(p => ChannelPattern.Parse(p).Matches(c)).Order()));
        });
    }
}
