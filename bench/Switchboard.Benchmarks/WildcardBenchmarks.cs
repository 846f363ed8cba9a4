using BenchmarkDotNet.Attributes;
using Switchboard.Protocol;
using Switchboard.Server.Internal;

namespace Switchboard.Benchmarks;

/// <summary>
/// Finding the wildcard patterns one publication matches, among N patterns of which one matches: the registry's trie
/// (<see cref="WildcardIndex{T}"/>) against the linear scan it replaced (every pattern's
/// <see cref="ChannelPattern.Matches"/> for every publication). The trie's cost should not grow with N.
/// </summary>
[MemoryDiagnoser]
public class WildcardBenchmarks
{
    private const string Channel = "tenant0.orders.created";

    private readonly WildcardIndex<string> _index = new();
    private ChannelPattern[] _patterns = [];

    [Params(10, 10_000)]
    public int Patterns { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Realistic shapes: per-tenant patterns with '*' and '>', one of which (tenant0.orders.*) matches the channel.
        _patterns = Enumerable.Range(0, Patterns)
            .Select(i => ChannelPattern.Parse((i % 3) switch
            {
                0 => $"tenant{i}.orders.*",
                1 => $"tenant{i}.>",
                _ => $"tenant{i}.*.updated",
            }))
            .ToArray();
        foreach (var pattern in _patterns)
        {
            _index.Add(pattern, pattern.Value);
        }
    }

    [Benchmark(Baseline = true)]
    public int LinearScan()
    {
        var matched = 0;
        foreach (var pattern in _patterns)
        {
            if (pattern.Matches(Channel))
            {
                matched++;
            }
        }

        return matched;
    }

    [Benchmark]
    public int Trie() => _index.Visit(Channel, 0, static (_, _) => 1);
}
