using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Host;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Tests.Security;

/// <summary>A key under <c>Switchboard</c> that nothing binds stops serve and an embedding app at start, naming the nearest valid setting.</summary>
public sealed partial class UnknownSettingsTests
{
    private static async Task<(int Exit, string Error)> ServeAsync(params string[] flags)
    {
        var (exit, _, error) = await HostSecurityTests.RunAsync(["serve", "--urls", "http://127.0.0.1:0", .. flags]);
        return (exit, error);
    }

    [Fact]
    public async Task Serve_with_a_misspelt_security_setting_stops_with_exit_code_2_and_the_nearest_name()
    {
        var (exit, error) = await ServeAsync("--Switchboard:Auth:Secert=a-secret-of-at-least-32-bytes-long!!");
        Assert.Equal(2, exit);
        Assert.Contains("unknown setting Switchboard:Auth:Secert (did you mean Secret?)", error);
    }

    [Theory]
    [InlineData("--Switchboard:Redis:Configuraton=localhost:1", "unknown setting Switchboard:Redis:Configuraton (did you mean Configuration?)")]
    [InlineData("--Switchboard:Nats:Bridges:0:Subjct=a.b", "unknown setting Switchboard:Nats:Bridges:0:Subjct (did you mean Subject?)")]
    [InlineData("--Switchboard:Channels:0:Subscrbe=anyone", "unknown setting Switchboard:Channels:0:Subscrbe (did you mean Subscribe?)")]
    [InlineData("--Switchboard:HistorySize:Max=1", "unknown setting Switchboard:HistorySize:Max")]
    [InlineData("--Switchboard:Frobnicate=1", "unknown setting Switchboard:Frobnicate")]
    [InlineData("--Switchboard:Proxy:Timout=00:00:02", "unknown setting Switchboard:Proxy:Timout (did you mean Timeout?)")]
    [InlineData("--Switchboard:Proxy:Subscribe:Chanels:0=orders.>", "unknown setting Switchboard:Proxy:Subscribe:Chanels (did you mean Channels?)")]
    [InlineData("--Switchboard:InlineSchedulng=false", "unknown setting Switchboard:InlineSchedulng (did you mean InlineScheduling?)")]
    public async Task Serve_stops_on_an_unknown_key_in_any_section(string flag, string expected)
    {
        var (exit, error) = await ServeAsync(flag);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        if (!expected.Contains("did you mean", StringComparison.Ordinal))
        {
            Assert.DoesNotContain("did you mean", error);
        }
    }

    [Fact]
    public void An_embedding_app_stops_at_start_on_an_unknown_key_and_accepts_its_own_declared_section()
    {
        using var typo = BuildApp(new() { ["Switchboard:Limits:MaxConectionsPerIp"] = "5" });
        var error = Assert.Throws<OptionsValidationException>(() => typo.MapSwitchboard());
        Assert.Contains("unknown setting Switchboard:Limits:MaxConectionsPerIp (did you mean MaxConnectionsPerIp?)", error.Message);

        using var declared = BuildApp(new() { ["Switchboard:MyApp:Greeting"] = "hi", ["Switchboard:Limits:MaxConnectionsPerIp"] = "5" }, s => s.AddSwitchboardSettings("Switchboard:MyApp", typeof(MyAppSettings)));
        declared.MapSwitchboard();
    }

    [Fact]
    public void Every_setting_the_docs_name_is_accepted_by_serve()
    {
        using var app = ServeCommand.BuildApp("http://127.0.0.1:0", null, []);
        var known = new KnownSettings(app.Services.GetServices<SwitchboardSettingsSection>());
        var root = Path.GetDirectoryName(FindUp("Switchboard.slnx"))!;
        var documented = Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories)
            .Append(Path.Combine(root, "README.md"))
            .SelectMany(file => DocumentedKey().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value.TrimEnd(':')))
            .Where(key => !key.Contains('*') && key != "Switchboard:Key") // Wildcards and the README's placeholder.
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        Assert.True(documented.Count > 50, $"found only {documented.Count} documented settings");
        Assert.Empty(documented.Select(known.Check).OfType<string>());
        Assert.NotNull(known.Check("Switchboard:Auth:Secert")); // The check itself can fail.
    }

    private static WebApplication BuildApp(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSwitchboard();
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    private static string FindUp(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, name)))
            {
                return Path.Combine(dir.FullName, name);
            }
        }

        throw new FileNotFoundException(name);
    }

    [GeneratedRegex(@"`(?:--)?(Switchboard:[A-Za-z0-9:*]+)")]
    private static partial Regex DocumentedKey();

    public sealed class MyAppSettings
    {
        public string? Greeting { get; set; }
    }
}
