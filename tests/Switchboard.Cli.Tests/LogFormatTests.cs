using System.Text.Json;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary><c>serve --log-format json</c>: every console line is one JSON object with the event id, category, level and message.</summary>
public sealed class LogFormatTests
{
    [Fact]
    public async Task Json_log_format_writes_one_object_per_line_with_event_id_category_level_and_message()
    {
        // Debug for Switchboard's own categories, so a connection's open and close (event ids 1 and 2) are logged too.
        using var server = await ServeProcess.StartAsync("--log-format", "json", "--Logging:LogLevel:Switchboard=Debug");
        await using (var client = await SwitchboardTestClient.ConnectAsync(server.WebSocketUri))
        {
            await client.CloseAsync();
        }

        await server.Process.WaitForLineAsync("\"EventId\":2,", ServeProcess.StartTimeout);

        var lines = server.Process.Lines.Where(l => l.Length > 0).ToList();
        var events = lines.Select(line => Parse(line, lines)).ToList();
        var listening = Assert.Single(events, e => e.Id == 101);
        Assert.Equal("Information", listening.Level);
        Assert.StartsWith("Switchboard", listening.Category, StringComparison.Ordinal);
        Assert.Contains("listening on http://127.0.0.1:", listening.Message, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, listening.State.GetProperty("Urls").ValueKind); // The template's values, for log shippers.
        Assert.Contains(events, e => e is { Id: 100, Level: "Warning" }); // Open development mode.
        var opened = Assert.Single(events, e => e.Id == 1);
        Assert.Equal("Debug", opened.Level);
        Assert.StartsWith("Switchboard.Server", opened.Category, StringComparison.Ordinal);
        Assert.Matches("^Connection [0-9a-f]{32} opened.$", opened.Message);
    }

    private static LogEvent Parse(string line, List<string> all)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"not a JSON line ({ex.Message}): {line}\nwhole output:\n{string.Join('\n', all)}");
        }

        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.True(root.TryGetProperty("EventId", out var id) && id.ValueKind == JsonValueKind.Number, line);
        Assert.True(root.TryGetProperty("Category", out var category) && category.GetString() is { Length: > 0 }, line);
        Assert.True(root.TryGetProperty("LogLevel", out var level) && level.GetString() is { Length: > 0 }, line);
        Assert.True(root.TryGetProperty("Message", out var message) && message.GetString() is { Length: > 0 }, line);
        Assert.True(root.TryGetProperty("Timestamp", out _), line);
        return new LogEvent(id.GetInt32(), category.GetString()!, level.GetString()!, message.GetString()!, root.TryGetProperty("State", out var state) ? state : default);
    }

    private sealed record LogEvent(int Id, string Category, string Level, string Message, JsonElement State);
}
