using System.Text.Json.Nodes;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>Presence events (<see cref="SubscribeOptions.OnPresence"/>) from the real server, for authenticated users.</summary>
public sealed class SecureServerPresenceTests : IAsyncLifetime
{
    private ServerHost _host = null!;

    public async Task InitializeAsync() => _host = await SecureHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private SwitchboardClient NewClient(string token) => new(new SwitchboardClientOptions
    {
        Url = _host.WebSocketUri,
        TokenProvider = _ => ValueTask.FromResult<string?>(token),
    });

    [Fact]
    public async Task Join_and_leave_of_another_client_arrive_with_its_user_and_info()
    {
        const string channel = "chat.room";
        var events = new List<PresenceChangedEventArgs>();
        var waiters = new List<(int Count, TaskCompletionSource Done)>();
        Task WaitForEventsAsync(int count)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (events)
            {
                if (events.Count >= count)
                {
                    return Task.CompletedTask;
                }

                waiters.Add((count, done));
            }

            return done.Task.OrTimeout();
        }

        await using var alice = NewClient(SecureHost.Token("alice"));
        await alice.ConnectAsync().OrTimeout();
        await using var watching = await alice.SubscribeAsync(channel, (_, _) => ValueTask.CompletedTask, new SubscribeOptions
        {
            OnPresence = e =>
            {
                lock (events)
                {
                    events.Add(e);
                    foreach (var waiter in waiters.Where(w => events.Count >= w.Count))
                    {
                        waiter.Done.TrySetResult();
                    }
                }
            },
        }).OrTimeout();

        var bob = NewClient(SecureHost.Token("bob", info: new JsonObject { ["name"] = "Bob" }));
        await bob.ConnectAsync().OrTimeout();
        var bobSubscription = await bob.SubscribeAsync(channel, (_, _) => ValueTask.CompletedTask).OrTimeout();
        await WaitForEventsAsync(1);
        await bobSubscription.UnsubscribeAsync();
        await WaitForEventsAsync(2);

        // Subscribed again, then gone with the connection: a leave as well.
        await bob.SubscribeAsync(channel, (_, _) => ValueTask.CompletedTask).OrTimeout();
        await WaitForEventsAsync(3);
        var bobId = bob.ClientId;
        await bob.DisposeAsync();
        await WaitForEventsAsync(4);

        lock (events)
        {
            Assert.Equal([true, false, true, false], events.Select(e => e.Joined));
            Assert.All(events, e => Assert.Equal("bob", e.Client.User));
            Assert.All(events, e => Assert.Equal(bobId, e.Client.Client)); // Never alice's own subscription.
            Assert.Equal("Bob", events[0].Client.Info.GetProperty("name").GetString());
        }

        var present = await alice.PresenceAsync(channel).OrTimeout();
        Assert.Equal(["alice"], present.Select(c => c.User));
    }
}
