using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>serve</c>'s socket I/O settings (docs/configuration.md, docs/performance.md): Kestrel's inline scheduling and the
/// socket layer's inline completions are on by default, <c>Switchboard:InlineScheduling=false</c> turns both off, and
/// a value of <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> that the operator set is kept. Each way, clients are
/// served: a subscriber gets another client's publication.
/// </summary>
public sealed class SocketIoTests
{
    [Theory]
    [InlineData(null, null, "inline scheduling on, socket completions on the I/O thread")]
    [InlineData("false", null, "inline scheduling off, socket completions on the thread pool")]
    [InlineData(null, "0", "inline scheduling on, socket completions on the thread pool")]
    [InlineData("false", "1", "inline scheduling off, socket completions on the I/O thread")]
    public async Task Serve_reports_the_socket_io_it_runs_with_and_serves_clients(string? inlineScheduling, string? completions, string expected)
    {
        string[] args = inlineScheduling is null ? [] : [$"--Switchboard:InlineScheduling={inlineScheduling}"];
        var environment = completions is null ? null : new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = completions };
        using var server = await ServeProcess.StartAsync(args, environment, "http://127.0.0.1:0");

        var line = await server.Process.WaitForLineAsync("Socket I/O: Kestrel (.*) \\(Switchboard:InlineScheduling", ServeProcess.StartTimeout);
        Assert.Equal(expected, line.Groups[1].Value);

        await using var subscriber = await SwitchboardTestClient.ConnectAsync(server.WebSocketUri);
        await using var publisher = await SwitchboardTestClient.ConnectAsync(server.WebSocketUri);
        await subscriber.SubscribeAsync("io");
        await publisher.PublishAsync("io", 42);
        var publication = await subscriber.ExpectMessageAsync("io");
        Assert.Equal(42, (int)publication["data"]!);
    }
}
