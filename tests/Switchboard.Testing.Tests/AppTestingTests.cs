using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Switchboard.Testing.Tests;

public sealed record Note(string Text);

public sealed record Welcome(string Type, string Client, string? User);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Note))]
[JsonSerializable(typeof(Welcome))]
public sealed partial class AppTestingJson : JsonSerializerContext;

/// <summary>
/// The samples/SignIn app's own <c>Program</c> under test through WebApplicationFactory: cookie sign-in at its
/// endpoint, protocol clients connected in-process as the signed-in users, typed waits and the wait for silence.
/// </summary>
public sealed class AppTestingTests : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly WebApplicationFactory<Program> _factory;

    public AppTestingTests(WebApplicationFactory<Program> factory) => _factory = factory;

    private Task<string> SignInAsync(string user) => _factory.SignInWithCookieAsync("/signin", new Dictionary<string, string> { ["user"] = user });

    [Fact]
    public async Task A_user_signed_in_with_the_apps_cookie_is_the_connections_user()
    {
        var cookies = await SignInAsync("alice");
        await using var alice = await _factory.ConnectSwitchboardAsync("/ws", o => o.WithCookies(cookies));
        Assert.Equal("alice", alice.Welcome["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_sign_in_the_upgrade_is_refused_by_the_apps_RequireAuthorization()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _factory.ConnectSwitchboardAsync("/ws"));
        Assert.Contains("refused", refused.Message);
    }

    [Fact]
    public async Task The_cookie_from_another_sites_page_is_refused_and_from_the_apps_own_page_accepted()
    {
        var cookies = await SignInAsync("mallory-target");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _factory.ConnectSwitchboardAsync("/ws", o => o.WithCookies(cookies).WithOrigin("https://evil.example")));
        Assert.Contains("403", refused.Message);

        await using var own = await _factory.ConnectSwitchboardAsync("/ws", o => o.WithCookies(cookies).WithOrigin("http://localhost"));
        Assert.Equal("mallory-target", own.Welcome["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task Typed_waits_read_the_apps_records_and_ExpectNoMessage_passes_on_silence_and_fails_on_a_message()
    {
        var bobCookies = await SignInAsync("bob");
        var carolCookies = await SignInAsync("carol");
        await using var bob = await _factory.ConnectSwitchboardAsync("/ws", o => o.WithCookies(bobCookies).ExpectWelcome = false);
        var welcome = await bob.ReceiveAsync("welcome", AppTestingJson.Default.Welcome);
        Assert.Equal("bob", welcome.User);

        await using var carol = await _factory.ConnectSwitchboardAsync("/ws", o => o.WithCookies(carolCookies));
        await bob.SubscribeAsync("notes.bob");
        await carol.PublishAsync("notes.bob", new JsonObject { ["text"] = "first" });
        Assert.Equal(new Note("first"), await bob.ExpectMessageAsync("notes.bob", AppTestingJson.Default.Note));

        // Nothing more was sent to notes.bob: the wait passes after its quiet spell.
        await bob.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(300), m => m["channel"]?.GetValue<string>() == "notes.bob");

        await carol.PublishAsync("notes.bob", new JsonObject { ["text"] = "second" });
        var unexpected = await Assert.ThrowsAsync<UnexpectedMessageException>(() => bob.ExpectNoMessageAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("second", unexpected.Received["data"]!["text"]!.GetValue<string>());
    }
}

/// <summary>The README's embedding example is samples/SignIn's Program, which the tests above run: every line of it is there.</summary>
public sealed class ReadmeEmbeddingExampleTests
{
    [Fact]
    public void Every_line_of_the_readmes_embedding_example_is_in_the_tested_samples_program()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Switchboard.slnx")))
        {
            root = root.Parent ?? throw new DirectoryNotFoundException("the repository root");
        }

        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md"));
        var section = readme[readme.IndexOf("## Embedding in an ASP.NET Core app", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var example = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var program = File.ReadAllLines(Path.Combine(root.FullName, "samples", "SignIn", "Program.cs")).Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        var lines = example.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count > 10, "the README's embedding example was not found");
        Assert.All(lines, line => Assert.Contains(line, program));
    }
}
