using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Protocol;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>Presence: the <c>presence</c> command and join/leave events, including clients that vanish.</summary>
public sealed class PresenceTests
{
    private static JsonObject SubscribeWithPresence(string channel) => new() { ["type"] = "subscribe", ["channel"] = channel, ["presence"] = true };

    private static string ClientId(TestClient client) => client.Welcome["client"]!.GetValue<string>();

    private static Task<JsonObject> PresenceEventAsync(TestClient client, string type, TestClient about, TimeSpan? timeout = null) =>
        client.ReceiveAsync(m => m["type"]?.GetValue<string>() == type && m["client"]?.GetValue<string>() == ClientId(about), timeout);

    /// <summary>A ping round trip: everything the server queued for the client before the pong has arrived.</summary>
    private static async Task<List<JsonObject>> DrainAsync(TestClient client)
    {
        await client.SendAsync(new { type = "ping", id = 4242 });
        var seen = new List<JsonObject>();
        while (true)
        {
            var message = await client.ReceiveAnyAsync();
            if (message["type"]!.GetValue<string>() == "pong")
            {
                return seen;
            }

            seen.Add(message);
        }
    }

    [Fact]
    public async Task Join_and_leave_on_subscribe_and_unsubscribe_go_to_those_who_asked_but_not_about_themselves()
    {
        await using var server = await TestServer.StartAsync();
        await using var watcher = await server.ConnectAsync();
        await using var quiet = await server.ConnectAsync();
        await using var joiner = await server.ConnectAsync();
        await watcher.OkAsync(SubscribeWithPresence("room.1"));
        await quiet.SubscribeAsync("room.1"); // Did not ask for events.

        await joiner.OkAsync(SubscribeWithPresence("room.1"));
        var join = await PresenceEventAsync(watcher, "join", joiner);
        Assert.Equal("room.1", join["channel"]!.GetValue<string>());
        Assert.Null(join["user"]);
        Assert.Empty(join["info"]!.AsObject());

        await joiner.OkAsync(new JsonObject { ["type"] = "unsubscribe", ["channel"] = "room.1" });
        var leave = await PresenceEventAsync(watcher, "leave", joiner);
        Assert.Equal("room.1", leave["channel"]!.GetValue<string>());

        // The joiner saw the quiet client's... nothing: it joined after it. It never sees its own join or leave;
        // the quiet subscriber gets no events at all.
        Assert.DoesNotContain(await DrainAsync(joiner), m => m["type"]!.GetValue<string>() is "join" or "leave");
        Assert.DoesNotContain(await DrainAsync(quiet), m => m["type"]!.GetValue<string>() is "join" or "leave");
        Assert.DoesNotContain(await DrainAsync(watcher), m => m["client"]?.GetValue<string>() == ClientId(watcher));
    }

    [Fact]
    public async Task Presence_lists_every_subscriber_whether_or_not_it_asked_for_events()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        await a.OkAsync(SubscribeWithPresence("room.list"));
        await b.SubscribeAsync("room.list");

        var result = await a.OkAsync(new JsonObject { ["type"] = "presence", ["channel"] = "room.list" });
        var clients = result!["clients"]!.AsArray().Select(c => c!.AsObject()).ToList();
        Assert.Equal(new[] { ClientId(a), ClientId(b) }.Order(), clients.Select(c => c["client"]!.GetValue<string>()).Order());
        Assert.All(clients, c =>
        {
            Assert.Null(c["user"]);
            Assert.Empty(c["info"]!.AsObject());
        });

        await b.DisposeAsync();
        await PresenceEventAsync(a, "leave", b);
        var after = await a.OkAsync(new JsonObject { ["type"] = "presence", ["channel"] = "room.list" });
        Assert.Equal([ClientId(a)], after!["clients"]!.AsArray().Select(c => c!["client"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_normal_close_produces_leave()
    {
        await using var server = await TestServer.StartAsync();
        await using var watcher = await server.ConnectAsync();
        var leaver = await server.ConnectAsync();
        await watcher.OkAsync(SubscribeWithPresence("room.close"));
        await leaver.SubscribeAsync("room.close");
        await PresenceEventAsync(watcher, "join", leaver);

        await leaver.CloseAsync();
        await PresenceEventAsync(watcher, "leave", leaver);
        await leaver.DisposeAsync();
    }

    [Fact]
    public async Task An_aborted_socket_produces_leave()
    {
        await using var server = await TestServer.StartAsync();
        await using var watcher = await server.ConnectAsync();
        await using var dropped = await server.ConnectAsync();
        await watcher.OkAsync(SubscribeWithPresence("room.abort"));
        await dropped.SubscribeAsync("room.abort");
        await PresenceEventAsync(watcher, "join", dropped);

        dropped.Socket.Abort(); // No close frame: the TCP connection just goes.
        await PresenceEventAsync(watcher, "leave", dropped);
    }

    [Fact]
    public async Task A_client_that_goes_silent_produces_leave_after_the_heartbeat_timeout()
    {
        var ping = TimeSpan.FromMilliseconds(200);
        var pongTimeout = TimeSpan.FromSeconds(1); // Generous: the watcher must not time out on a busy machine.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.PingInterval = ping;
            o.PongTimeout = pongTimeout;
            o.CloseTimeout = TimeSpan.FromMilliseconds(200);
        });
        await using var watcher = await server.ConnectAsync();
        watcher.AnswerPings = true;
        await using var silent = await server.ConnectAsync(); // Never answers pings: as good as unplugged.
        await watcher.OkAsync(SubscribeWithPresence("room.silent"));
        await silent.SubscribeAsync("room.silent");
        var joined = Stopwatch.StartNew();
        await PresenceEventAsync(watcher, "join", silent);

        await PresenceEventAsync(watcher, "leave", silent, TimeSpan.FromSeconds(10));
        // The silence started just before the stopwatch; the pong timeout alone is a safe lower bound.
        Assert.True(joined.Elapsed >= pongTimeout, $"leave after {joined.Elapsed}, before the heartbeat timeout");
        Assert.True(watcher.IsOpen);
    }

    [Fact]
    public async Task Asking_for_presence_events_needs_the_presence_permission()
    {
        await using var server = await TestServer.StartAsync(configureServices: s => s.AddSingleton<IChannelAuthorizer, NoPresenceAuthorizer>());
        await using var client = await server.ConnectAsync();

        var denied = await client.CommandAsync(SubscribeWithPresence("room.secret"));
        Assert.False(denied["success"]!.GetValue<bool>());
        Assert.Equal("unauthorized", denied["error"]!["code"]!.GetValue<string>());
        var presence = await client.CommandAsync(new JsonObject { ["type"] = "presence", ["channel"] = "room.secret" });
        Assert.False(presence["success"]!.GetValue<bool>());

        await client.SubscribeAsync("room.secret"); // Without presence events it is allowed.
    }

    private sealed class NoPresenceAuthorizer : IChannelAuthorizer
    {
        public bool IsAllowed(ConnectionIdentity identity, ChannelAction action, ChannelPattern channel) => action != ChannelAction.Presence;
    }
}
