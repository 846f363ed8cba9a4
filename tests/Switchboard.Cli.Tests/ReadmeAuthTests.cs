using System.Text.RegularExpressions;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Testing;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The README's "Run with authentication" commands, then its check-config and check-token lines, run exactly as written (each line through bash) in a clean copy of
/// the repository, as a new user would: the server must refuse a client without a token and welcome one with the
/// printed token. The only addition is the listening address, given through Kestrel's endpoint configuration
/// (<c>Kestrel__Endpoints__...</c>), so that the test takes a free port instead of 8000 on a shared machine.
/// </summary>
public sealed partial class ReadmeAuthTests
{
    // The first run builds the host (Debug) in the fresh copy; on two busy cores that can take minutes.
    private static readonly TimeSpan BuildAndStart = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task The_readme_auth_commands_refuse_a_client_without_a_token_and_welcome_the_printed_one()
    {
        var lines = ReadmeAuthLines();
        Assert.True(lines.Count(l => l.Contains("-- serve", StringComparison.Ordinal)) == 1, "the README's auth block should have one serve line:\n" + string.Join('\n', lines));
        Assert.True(lines.Count(l => l.Contains("-- token", StringComparison.Ordinal)) == 1, "the README's auth block should have one token line:\n" + string.Join('\n', lines));

        using var clone = new TempDirectory();
        await RepositoryRoot.CleanCopyAsync(clone.Path);
        var environment = new Dictionary<string, string> { ["Kestrel__Endpoints__Test__Url"] = "http://127.0.0.1:0" };
        ChildProcess? server = null;
        string? token = null;
        try
        {
            foreach (var line in lines)
            {
                if (line.Contains("-- serve", StringComparison.Ordinal))
                {
                    server = ChildProcess.Shell(line, clone.Path, environment);
                    await server.WaitForLineAsync(@"listening on http://127\.0\.0\.1:\d+", BuildAndStart);
                    continue;
                }

                using var step = ChildProcess.Shell(line, clone.Path, environment);
                var exitCode = await step.WaitForExitAsync(BuildAndStart);
                Assert.True(exitCode == 0, $"README line exited with {exitCode}: {line}\n{step.Output}");
                if (line.Contains("-- token", StringComparison.Ordinal))
                {
                    token = step.Lines.LastOrDefault(l => JwtShape().IsMatch(l));
                    Assert.True(token is not null, $"the token line printed no token:\n{step.Output}");
                }
            }

            Assert.NotNull(server);
            Assert.NotNull(token);
            var secrets = new FileInfo(Path.Combine(clone.Path, "switchboard.secrets.json"));
            Assert.True(secrets.Exists, "the README's first line should write switchboard.secrets.json");
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secrets.FullName));
            }

            Assert.DoesNotContain("open development mode", server.Output, StringComparison.Ordinal);

            var endpoint = new Uri(Regex.Match(server.Output, @"listening on (http://127\.0\.0\.1:\d+)").Groups[1].Value.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws");

            // Without a token: the server asks for auth, and a subscribe instead of auth is refused with 1008.
            await using (var anonymous = await SwitchboardTestClient.ConnectAsync(endpoint, expectWelcome: false))
            {
                await anonymous.ReceiveTypeAsync("auth_required");
                await anonymous.SendRawAsync("""{"type":"subscribe","channel":"chat.general","id":1}""");
                Assert.Equal(1008, (int?)(await anonymous.WaitForCloseAsync()).Status);
            }

            // With the printed token: welcomed as alice.
            await using var alice = await SwitchboardTestClient.ConnectAsync(new Uri($"{endpoint}?token={token}"), expectWelcome: false);
            var welcome = await alice.ReceiveTypeAsync("welcome");
            Assert.Equal("alice", welcome["user"]?.GetValue<string>());

            // The next section's check-config and check-token lines, on the same secrets file: valid, and accepted.
            foreach (var line in ReadmeBlock("## Check a configuration and a token before deploying"))
            {
                using var check = ChildProcess.Shell(line, clone.Path);
                Assert.True(await check.WaitForExitAsync(BuildAndStart) == 0, $"README line failed: {line}\n{check.Output}");
                Assert.Contains(line.Contains("check-config", StringComparison.Ordinal) ? "the configuration is valid: Production environment, tokens required" : "serve accepts this token", check.StandardOutput, StringComparison.Ordinal);
            }
        }
        finally
        {
            server?.Dispose();
        }
    }

    [Fact]
    public void Local_secrets_are_ignored_by_git()
    {
        var ignore = File.ReadAllLines(RepositoryRoot.File(".gitignore"));
        Assert.Contains("/switchboard.secrets.json", ignore);
        Assert.Contains("/appsettings.json", ignore);
    }

    /// <summary>The lines of the first <c>sh</c> block under "## Run with authentication".</summary>
    private static List<string> ReadmeAuthLines() => ReadmeBlock("## Run with authentication");

    /// <summary>The lines of the first <c>sh</c> block under <paramref name="heading"/>.</summary>
    private static List<string> ReadmeBlock(string heading)
    {
        var readme = File.ReadAllText(RepositoryRoot.File("README.md"));
        var section = readme.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(section >= 0, $"README.md has no '{heading}' section");
        var start = readme.IndexOf("```sh\n", section, StringComparison.Ordinal) + "```sh\n".Length;
        var end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return [.. readme[start..end].Split('\n').Where(l => l.Trim().Length > 0)];
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")]
    private static partial Regex JwtShape();
}
