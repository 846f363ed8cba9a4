using System.Reflection;
using System.Text.Json.Nodes;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Server.Security;
using Switchboard.Testing;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary>
/// docs/security.md says which limits hold in open development mode; <c>switchboard serve</c> with no security
/// settings shows the ones that always apply, and the doc's table is checked against the options classes.
/// </summary>
public sealed class OpenModeLimitTests
{
    private static readonly string[] AlwaysOn = ["Switchboard:MaxMessageSize", "Switchboard:MaxSubscriptionsPerConnection", "Switchboard:OutgoingQueueLimit", "Switchboard:Auth:AuthTimeout", "Switchboard:Auth:MaxTokenLength"];

    [Fact]
    public async Task In_open_development_mode_serve_still_limits_subscriptions_and_message_size()
    {
        using var server = await ServeProcess.StartAsync("--Switchboard:MaxSubscriptionsPerConnection=2", "--Switchboard:PingInterval=00:05:00");
        await server.Process.WaitForLineAsync("open development mode", ServeProcess.StartTimeout);

        await using var client = await SwitchboardTestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("a");
        await client.SubscribeAsync("b");
        var over = await client.CommandAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "c" });
        Assert.Equal("limit_exceeded", over["error"]!["code"]!.GetValue<string>());

        await using var giant = await RawWebSocketClient.ConnectAsync(server.WebSocketUri);
        Assert.Contains("welcome", await giant.ReceiveTextAsync(), StringComparison.Ordinal);
        await giant.SendAsync(RawWebSocketClient.FrameHeader(0x1, 1UL << 62));
        Assert.Equal((1009, "message larger than 65536 bytes"), await giant.ReceiveCloseAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void Security_md_says_which_limits_apply_in_open_development_mode()
    {
        var rows = LimitRows();
        var connectionLimits = typeof(SwitchboardLimitOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => "Switchboard:Limits:" + p.Name).ToList();
        Assert.Equal(AlwaysOn.Concat(connectionLimits).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));

        foreach (var key in AlwaysOn)
        {
            Assert.True(rows[key].StartsWith("applies", StringComparison.Ordinal), $"{key}: the code applies it in open development mode, the doc says '{rows[key]}'");
        }

        // A Switchboard:Limits value left unset (null) is off in open development mode (SecurityPolicy.Resolve).
        foreach (var property in typeof(SwitchboardLimitOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = "Switchboard:Limits:" + property.Name;
            Assert.True(rows[key].StartsWith("off", StringComparison.Ordinal), $"{key}: open development mode leaves it off unless set, the doc says '{rows[key]}'");
        }
    }

    /// <summary>The Limits table of docs/security.md: setting to its "in open development mode" cell.</summary>
    private static Dictionary<string, string> LimitRows()
    {
        var lines = File.ReadAllLines(RepositoryRoot.File("docs/security.md"));
        var start = Array.IndexOf(lines, "## Limits");
        Assert.True(start >= 0, "docs/security.md has no Limits section");
        var header = lines.Skip(start).First(l => l.StartsWith("| setting", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToList();
        var column = header.IndexOf("in open development mode");
        Assert.True(column > 0, "the Limits table has no 'in open development mode' column");
        return lines
            .Skip(start)
            .SkipWhile(l => !l.StartsWith("| setting", StringComparison.Ordinal))
            .Skip(2)
            .TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToList())
            .ToDictionary(cells => cells[1].Trim('`'), cells => cells[column]);
    }
}
