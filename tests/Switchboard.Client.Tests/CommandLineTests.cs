using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary><c>switchboard pub</c> and <c>switchboard sub</c>, run as real processes against a real server.</summary>
public sealed class CommandLineTests
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Pub_and_sub_round_trip_as_json_lines()
    {
        await using var server = await ServerHost.StartAsync();
        var url = server.WebSocketUri.ToString();
        using var sub = ChildProcess.Switchboard(["sub", "cli.room", "--url", url, "--count", "3"]);
        await sub.WaitForLineAsync(Regex.Escape("subscribed to cli.room"), ProcessTimeout);

        using (var pub = ChildProcess.Switchboard(["pub", "cli.room", "{\"text\":\"one\"}", "--url", url]))
        {
            Assert.Equal(0, await pub.WaitForExitAsync(ProcessTimeout));
        }

        using (var pub = ChildProcess.Switchboard(["pub", "cli.room", "--url", url], standardInput: true))
        {
            await pub.StandardInput.WriteLineAsync("{\"text\":\"two\"}");
            await pub.StandardInput.WriteLineAsync("");
            await pub.StandardInput.WriteLineAsync("[3, \"three\"]");
            pub.StandardInput.Close();
            Assert.Equal(0, await pub.WaitForExitAsync(ProcessTimeout));
        }

        Assert.Equal(0, await sub.WaitForExitAsync(ProcessTimeout));
        var lines = sub.StandardOutputLines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal([1L, 2L, 3L], lines.Select(l => l["offset"]!.GetValue<long>()));
        Assert.All(lines, l => Assert.Equal("cli.room", l["channel"]!.GetValue<string>()));
        Assert.Equal("one", lines[0]["data"]!["text"]!.GetValue<string>());
        Assert.Equal("two", lines[1]["data"]!["text"]!.GetValue<string>());
        Assert.Equal("[3,\"three\"]", lines[2]["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Pub_rejects_a_line_that_is_not_json_with_a_message()
    {
        await using var server = await ServerHost.StartAsync();
        using var pub = ChildProcess.Switchboard(["pub", "cli.bad", "{not json", "--url", server.WebSocketUri.ToString()]);
        Assert.Equal(2, await pub.WaitForExitAsync(ProcessTimeout));
        Assert.Contains("line 1 is not valid JSON", pub.StandardError);
        Assert.DoesNotContain("   at ", pub.StandardError);
    }

    [Fact]
    public async Task Pub_delivers_1000_piped_lines_through_a_rate_limited_secured_server_once_each_in_order()
    {
        // 200 commands a second with a bucket of 50: 1,000 lines cannot go through without waiting.
        await using var server = await SecureHost.StartAsync(l =>
        {
            l.CommandsPerSecond = 200;
            l.CommandBurst = 50;
        });
        await using var subscriber = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            TokenProvider = _ => ValueTask.FromResult<string?>(SecureHost.Token("reader")),
        });
        await subscriber.ConnectAsync().OrTimeout();
        var collector = new Collector();
        await using var subscription = await subscriber.SubscribeAsync("cli.limited", collector.Handler).OrTimeout();

        using var pub = ChildProcess.Switchboard(["pub", "cli.limited", "--url", server.WebSocketUri.ToString(), "--token", SecureHost.Token("writer")], standardInput: true);
        for (var i = 1; i <= 1000; i++)
        {
            await pub.StandardInput.WriteLineAsync($"{{\"seq\":{i}}}");
        }

        pub.StandardInput.Close();
        var exit = await pub.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, $"pub exited with {exit}: {pub.Output}");
        var received = await collector.WaitForAsync(1000, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(1, 1000), Publish.Seqs(received));
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), received.Select(p => p.Offset));
        Assert.DoesNotContain("rate_limited", pub.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sub_says_on_stderr_and_in_the_line_when_publications_were_lost_for_good()
    {
        // History keeps 3 and a relay drops offsets 5-10 on the way: sub's client sees 11 jump, cannot recover.
        await using var server = await ServerHost.StartAsync(o => o.HistorySize = 3);
        await using var relay = await FrameDroppingRelay.StartAsync(server.WebSocketUri, m =>
            m.StartsWith("{\"type\":\"message\",\"channel\":\"cli.gap\"", StringComparison.Ordinal)
            && Enumerable.Range(5, 6).Any(o => m.Contains($"\"offset\":{o},", StringComparison.Ordinal)));
        using var sub = ChildProcess.Switchboard(["sub", "cli.gap", "--url", relay.WebSocketUri.ToString(), "--count", "5"]);
        await sub.WaitForLineAsync(Regex.Escape("subscribed to cli.gap"), ProcessTimeout);
        await using var publisher = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await publisher.ConnectAsync().OrTimeout();
        for (var i = 1; i <= 11; i++)
        {
            await publisher.PublishAsync("cli.gap", JsonDocument.Parse($"{{\"seq\":{i}}}").RootElement).OrTimeout();
        }

        await sub.WaitForLineAsync(Regex.Escape("publications on cli.gap were lost and could not be recovered"), ProcessTimeout);
        await publisher.PublishAsync("cli.gap", JsonDocument.Parse("{\"seq\":12}").RootElement).OrTimeout();

        Assert.Equal(0, await sub.WaitForExitAsync(ProcessTimeout));
        var lines = sub.StandardOutputLines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal([1L, 2, 3, 4, 12], lines.Select(l => l["offset"]!.GetValue<long>()));
        Assert.Equal([false, false, false, false, true], lines.Select(l => l["follows_gap"]?.GetValue<bool>() ?? false));
    }
}
