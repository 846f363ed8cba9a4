using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests;

/// <summary>
/// The client against the real server's command rate limit: it paces itself to the limit announced in
/// <c>welcome</c>, so bursts past the limit are published once each and the connection is never closed for abuse
/// (4004); a command refused with <c>rate_limited</c> is sent again, unchanged, after the server's
/// <c>retry_after_ms</c>.
/// </summary>
public sealed class RateLimitTests
{
    private static SwitchboardClient NewClient(ServerHost host, string user) => new(new SwitchboardClientOptions
    {
        Url = host.WebSocketUri,
        TokenProvider = _ => ValueTask.FromResult<string?>(SecureHost.Token(user)),
        Reconnect = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
        CommandTimeout = TimeSpan.FromSeconds(60),
    });

    private static JsonElement Seq(int i) => JsonDocument.Parse($"{{\"seq\":{i}}}").RootElement;

    [Fact]
    public async Task A_burst_of_publishes_past_the_limit_is_paced_published_once_each_and_never_closed_for_abuse()
    {
        // 300 publishes at once against 100 a second with a bucket of 20; 10 refusals in 10 s would close with 4004.
        await using var host = await SecureHost.StartAsync(l =>
        {
            l.CommandsPerSecond = 100;
            l.CommandBurst = 20;
            l.AbuseThreshold = 10;
        });
        await using var subscriber = NewClient(host, "bob");
        await subscriber.ConnectAsync().OrTimeout();
        var collector = new Collector();
        await using var subscription = await subscriber.SubscribeAsync("burst.room", collector.Handler).OrTimeout();
        await using var publisher = NewClient(host, "alice");
        await publisher.ConnectAsync().OrTimeout();

        var publishes = Enumerable.Range(1, 300).Select(i => publisher.PublishAsync("burst.room", Seq(i))).ToList();
        var results = await Task.WhenAll(publishes).OrTimeout(TimeSpan.FromSeconds(60));

        var received = await collector.WaitForAsync(300, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(1, 300), Publish.Seqs(received)); // Paced, so none was refused and resent out of order.
        Assert.Equal(300, results.Select(r => r.Offset).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), received.Select(p => p.Offset));
        Assert.Equal(ConnectionState.Connected, publisher.State);
        Assert.Null(publisher.LastDisconnect);

        // Nothing more arrives: a retried publish was not published twice.
        await publisher.PublishAsync("burst.room", Seq(301)).OrTimeout();
        var all = await collector.WaitForAsync(301);
        Assert.Equal(301, all.Count);
        Assert.Equal(301, Publish.Seqs(all).Distinct().Count());
    }

    [Fact]
    public async Task A_command_refused_with_rate_limited_is_sent_again_unchanged_after_retry_after_ms()
    {
        // A scripted server: a real server paces the client so that it is not refused (previous test).
        var resent = new TaskCompletionSource<(JsonObject First, JsonObject Second, TimeSpan Between)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            await c.SendWelcomeAsync();
            var first = (await c.ReceiveAsync())!;
            var refusedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            await c.SendAsync($"{{\"type\":\"result\",\"id\":{first["id"]},\"success\":false,\"error\":{{\"code\":\"rate_limited\",\"message\":\"slow down\",\"retry_after_ms\":300}}}}");
            var second = (await c.ReceiveAsync())!;
            resent.TrySetResult((first, second, System.Diagnostics.Stopwatch.GetElapsedTime(refusedAt)));
            await c.SendAsync($"{{\"type\":\"result\",\"id\":{second["id"]},\"success\":true,\"result\":{{\"offset\":7}}}}");
            await c.ReceiveAsync(); // Until the client closes.
        });
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await client.ConnectAsync().OrTimeout();

        var result = await client.PublishAsync("limited.room", Seq(1)).OrTimeout();

        Assert.Equal(7, result.Offset);
        var (first, second, between) = await resent.Task.OrTimeout();
        Assert.Equal(first.ToJsonString(), second.ToJsonString()); // Same id and idempotency key.
        Assert.Equal("publish", first["type"]!.GetValue<string>());
        Assert.NotNull(first["key"]);
        Assert.True(between >= TimeSpan.FromMilliseconds(250), $"resent after {between.TotalMilliseconds} ms, before the 300 ms the server asked for");
    }

    [Fact]
    public async Task Welcome_announces_the_limit_and_a_refusal_carries_retry_after_ms()
    {
        await using var host = await SecureHost.StartAsync(l =>
        {
            l.CommandsPerSecond = 4;
            l.CommandBurst = 2;
        });
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + SecureHost.Token("carol"));
        await socket.ConnectAsync(host.WebSocketUri, CancellationToken.None).OrTimeout();
        var welcome = await ReceiveAsync(socket);
        Assert.Equal("welcome", welcome["type"]!.GetValue<string>());
        Assert.Equal(4, welcome["limits"]!["commands_per_second"]!.GetValue<int>());
        Assert.Equal(2, welcome["limits"]!["command_burst"]!.GetValue<int>());

        // Ten at once against a burst of 2 and 4/s: one is refused unless this loop stalls for over 2 s (three, as
        // before, all passed once when a loaded machine spaced them by more than the 250 ms a token takes).
        for (var id = 1; id <= 10; id++)
        {
            var ping = System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"ping\",\"id\":{id}}}");
            await socket.SendAsync(ping, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        }

        JsonObject reply;
        do
        {
            reply = await ReceiveAsync(socket);
        }
        while (reply["type"]!.GetValue<string>() == "pong");

        Assert.Equal(ErrorCodes.RateLimited, reply["error"]!["code"]!.GetValue<string>());
        Assert.Equal(250, reply["error"]!["retry_after_ms"]!.GetValue<int>());
    }

    private static async Task<JsonObject> ReceiveAsync(System.Net.WebSockets.ClientWebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).OrTimeout();
        return JsonNode.Parse(buffer.AsSpan(0, result.Count))!.AsObject();
    }
}
