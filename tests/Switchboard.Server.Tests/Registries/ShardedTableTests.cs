using Switchboard.Internal;

namespace Switchboard.Server.Tests.Registries;

/// <summary>The sharded table under concurrent read-modify-writes: per-key atomicity, removal by returning null.</summary>
public sealed class ShardedTableTests
{
    private sealed class Counter
    {
        public int Value;
    }

    [Fact]
    public async Task Concurrent_changes_of_one_key_are_atomic_and_a_null_value_removes_the_entry()
    {
        var table = new ShardedTable<string, Counter>(StringComparer.Ordinal, shardCount: 4);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                table.Change($"k{i % 10}", 0, static (counter, _) =>
                {
                    counter ??= new Counter();
                    counter.Value++;
                    return (counter, 0);
                });
            }
        })));

        var counts = table.Select(static (key, counter) => (key, counter.Value)).OrderBy(e => e.key).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => ($"k{i}", 800)), counts);

        var removed = table.Change("k3", 0, static (counter, _) => ((Counter?)null, counter!.Value));
        Assert.Equal(800, removed);
        Assert.Null(table.Read("k3", 0, static (counter, _) => counter));
        Assert.Equal(9, table.Select(static (key, _) => key).Count);
    }
}
