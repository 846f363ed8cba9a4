using System.Text.Json;
using DotnetClientExample;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>The example of docs/clients/dotnet.md runs against a real server, so the doc's code is known to work.</summary>
public sealed class SampleTests
{
    [Fact]
    public async Task The_documented_example_runs_to_completion()
    {
        await using var server = await ServerHost.StartAsync(o =>
            o.AddRpc("time", static (_, _) => ValueTask.FromResult(JsonSerializer.SerializeToElement(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))));
        var output = new StringWriter();
        var exitCode = await ChatExample.RunAsync(server.WebSocketUri, TextWriter.Synchronized(output), CancellationToken.None).OrTimeout();

        var text = output.ToString();
        Assert.Equal(0, exitCode);
        Assert.Contains("#3 ada: hello 3", text);
        Assert.Contains("history: 3 messages, channel at offset 3", text);
        Assert.Contains("presence: 1 subscriber(s)", text);
        Assert.Contains("replayed: #3 hello 3", text);
        Assert.Contains("state: Disconnected -> Connecting", text);
    }

    [Fact]
    public void The_doc_shows_the_example_as_it_is_built()
    {
        var root = RepositoryRoot();
        var sample = File.ReadAllText(Path.Combine(root, "samples/DotnetClientExample/ChatExample.cs")).ReplaceLineEndings("\n");
        var doc = File.ReadAllText(Path.Combine(root, "docs/clients/dotnet.md")).ReplaceLineEndings("\n");
        Assert.Contains(sample, doc);
    }

    [Fact]
    public void The_docs_relative_links_resolve()
    {
        var page = Path.Combine(RepositoryRoot(), "docs/clients/dotnet.md");
        var links = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(page), @"\]\(([^)#\s]+)(#[^)]*)?\)")
            .Select(m => m.Groups[1].Value)
            .Where(target => !target.Contains("://", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(links);
        Assert.All(links, target => Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(page)!, target)), $"broken link: {target}"));
    }

    private static string RepositoryRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Switchboard.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("the repository root was not found");
        }

        return root;
    }
}
