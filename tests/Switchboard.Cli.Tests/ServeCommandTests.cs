using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard serve</c> and <c>token</c> as processes: they fail closed on a configuration they cannot read.</summary>
public sealed class ServeCommandTests
{
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("serve")]
    [InlineData("token")]
    public async Task A_missing_config_file_stops_the_command_with_a_message(string command)
    {
        using var directory = new TempDirectory();
        string[] args = command == "serve"
            ? ["serve", "--urls", "http://127.0.0.1:0", "--config", "missing.json"]
            : ["token", "--user", "alice", "--config", "missing.json"];
        using var process = ChildProcess.Switchboard(args, workingDirectory: directory.Path);
        Assert.NotEqual(0, await process.WaitForExitAsync(Exit));
        Assert.Contains("missing.json", process.Output, StringComparison.Ordinal);
        Assert.Contains("does not exist", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_informational_version()
    {
        using var process = ChildProcess.Switchboard(["--version"]);
        Assert.Equal(0, await process.WaitForExitAsync(Exit));
        Assert.Matches(@"^\d+\.\d+\.\d+", process.Output.Trim());
    }
}
