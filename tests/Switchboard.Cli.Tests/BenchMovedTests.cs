using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard bench</c> was the load generator until it became its own tool, <c>switchboard-bench</c>: the old
/// command says where it went and fails, so that a script still calling it does not silently do nothing.
/// </summary>
public sealed class BenchMovedTests
{
    [Fact]
    public async Task Bench_says_where_the_load_generator_moved_and_exits_with_2()
    {
        using var process = ChildProcess.Switchboard(["bench", "fanout", "--target", "raw", "-n", "10"]);

        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("switchboard-bench", process.StandardError, StringComparison.Ordinal);
        Assert.Contains("bench/Switchboard.Bench", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_does_not_list_bench()
    {
        using var process = ChildProcess.Switchboard(["--help"]);

        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("serve", process.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("bench", process.StandardOutput, StringComparison.Ordinal);
    }
}
