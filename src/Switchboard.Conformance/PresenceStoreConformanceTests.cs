using System.Text;
using Switchboard.Presence;

namespace Switchboard.Conformance;

/// <summary>
/// What every <see cref="IPresenceStore"/> must do (its doc comment's guarantees). Each store's tests derive from this
/// class with their own <see cref="CreateStore"/> (the memory store in Switchboard.Server.Tests, Redis in
/// Switchboard.Redis.Tests) instead of copying the tests.
/// </summary>
public abstract class PresenceStoreConformanceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A new, empty store (sharing nothing with the stores of other tests).</summary>
    protected abstract IPresenceStore CreateStore();

    private static PresenceEntry Entry(string client, string? user = null, string info = "") =>
        new(client, user, Encoding.UTF8.GetBytes(info));

    private static async Task<string[]> ClientsAsync(IPresenceStore store, string channel) =>
        [.. (await store.GetAsync(channel, None)).Select(e => e.Client).Order()];

    [Fact]
    public async Task Added_entries_are_read_back_with_user_and_info()
    {
        var store = CreateStore();
        await store.AddAsync("room.a", Entry("c1", "alice", "{\"name\":\"Alice\"}"), None);
        await store.AddAsync("room.a", Entry("c2"), None);

        var entries = (await store.GetAsync("room.a", None)).OrderBy(e => e.Client).ToList();
        Assert.Equal(["c1", "c2"], entries.Select(e => e.Client));
        Assert.Equal("alice", entries[0].User);
        Assert.Equal("{\"name\":\"Alice\"}", Encoding.UTF8.GetString(entries[0].Info.Span));
        Assert.Null(entries[1].User);
        Assert.True(entries[1].Info.IsEmpty);
    }

    [Fact]
    public async Task Adding_a_client_again_replaces_its_entry()
    {
        var store = CreateStore();
        await store.AddAsync("room.b", Entry("c1", "old"), None);
        await store.AddAsync("room.b", Entry("c1", "new"), None);
        Assert.Equal("new", Assert.Single(await store.GetAsync("room.b", None)).User);
    }

    [Fact]
    public async Task Removing_is_per_channel_and_removing_what_is_absent_does_nothing()
    {
        var store = CreateStore();
        await store.AddAsync("room.c", Entry("c1"), None);
        await store.AddAsync("room.d", Entry("c1"), None);
        await store.RemoveAsync("room.c", "c1", None);
        await store.RemoveAsync("room.c", "c1", None);
        await store.RemoveAsync("room.none", "c9", None);

        Assert.Empty(await store.GetAsync("room.c", None));
        Assert.Equal(["c1"], await ClientsAsync(store, "room.d"));
    }

    [Fact]
    public async Task Concurrent_adds_and_removes_leave_exactly_the_survivors()
    {
        var store = CreateStore();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var client = $"t{t}-{i}";
                await store.AddAsync("room.busy", Entry(client), None);
                if (i % 2 == 1)
                {
                    await store.RemoveAsync("room.busy", client, None);
                }
            }
        })));

        var expected = Enumerable.Range(0, 8).SelectMany(t => Enumerable.Range(0, 200).Where(i => i % 2 == 0).Select(i => $"t{t}-{i}")).Order();
        Assert.Equal(expected, await ClientsAsync(store, "room.busy"));
    }
}
