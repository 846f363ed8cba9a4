using System.Text.Json.Nodes;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>
/// Presence events (<c>join</c>/<c>leave</c>) for a subscription that asks for them, from a scripted endpoint that
/// sends both in one batched frame right after the subscribe result. The real server is in <see cref="SecureServerPresenceTests"/>.
/// </summary>
public sealed class PresenceEventTests
{
    [Fact]
    public async Task A_subscription_with_presence_asks_for_events_and_raises_them()
    {
        var subscribe = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            await c.SendWelcomeAsync();
            while (await c.ReceiveAsync() is { } message)
            {
                if (message["type"]!.GetValue<string>() == "subscribe")
                {
                    subscribe.TrySetResult(message);
                    await c.SendAsync($"{{\"type\":\"result\",\"id\":{message["id"]!.ToJsonString()},\"success\":true,\"result\":{{\"channel\":\"room\",\"offset\":0,\"epoch\":\"e\"}}}}");
                    await c.SendAsync("{\"type\":\"join\",\"channel\":\"room\",\"client\":\"c2\",\"user\":\"bob\",\"info\":{\"name\":\"Bob\"}}\n{\"type\":\"leave\",\"channel\":\"room\",\"client\":\"c2\",\"user\":\"bob\",\"info\":{}}");
                }
            }
        });
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await client.ConnectAsync().OrTimeout();
        var events = new List<PresenceChangedEventArgs>();
        var two = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await client.SubscribeAsync("room", (_, _) => ValueTask.CompletedTask, new SubscribeOptions
        {
            OnPresence = e =>
            {
                lock (events)
                {
                    events.Add(e);
                    if (events.Count == 2)
                    {
                        two.TrySetResult();
                    }
                }
            },
        });

        Assert.True((await subscribe.Task.OrTimeout())["presence"]!.GetValue<bool>());
        await two.Task.OrTimeout();
        Assert.True(events[0].Joined);
        Assert.Equal("bob", events[0].Client.User);
        Assert.Equal("Bob", events[0].Client.Info.GetProperty("name").GetString());
        Assert.False(events[1].Joined);
        Assert.Single(server.Authorizations); // No reconnect happened along the way.
    }
}
