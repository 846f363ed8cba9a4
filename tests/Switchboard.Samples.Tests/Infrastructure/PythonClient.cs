using Switchboard.Tests.Infrastructure;

namespace Switchboard.Samples.Tests.Infrastructure;

/// <summary>
/// Runs a seed's Python client script (python/*.py) with Debian's system python3, which has python3-websockets and
/// python3-websocket (test.sh installs them). The script asserts what the client observes and exits non-zero with
/// the reason when something is wrong; it bounds its own run time, and this runner kills it after 240 s.
/// </summary>
public static class PythonClient
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(240);

    /// <summary>Runs python/<paramref name="script"/> with <paramref name="arguments"/>; fails the test when it does not exit 0.</summary>
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        using var run = ChildProcess.Start(
            Python,
            ["-u", Path.Combine(AppContext.BaseDirectory, "python", script), .. arguments],
            new Dictionary<string, string> { ["PYTHONIOENCODING"] = "utf-8", ["PYTHONDONTWRITEBYTECODE"] = "1" });
        var exitCode = await run.WaitForExitAsync(RunTimeout);
        Assert.True(exitCode == 0, $"{script} exited with {exitCode}:\n{run.Output}");
        return run.Output;
    }

    /// <summary>
    /// Runs pytest (Debian's python3-pytest, with python3-pytest-asyncio for the seeds' async tests) in
    /// python/<paramref name="folder"/> with <paramref name="environment"/>; fails the test unless it exits 0 having
    /// passed exactly <paramref name="expectedPassed"/> tests, none skipped (an async test pytest cannot run is skipped).
    /// </summary>
    public static async Task<string> RunPytestAsync(string folder, int expectedPassed, IReadOnlyDictionary<string, string> environment)
    {
        using var run = ChildProcess.Start(
            Python,
            ["-m", "pytest", "-p", "no:cacheprovider", "-v", "-rA"],
            new Dictionary<string, string>(environment) { ["PYTHONIOENCODING"] = "utf-8", ["PYTHONDONTWRITEBYTECODE"] = "1" },
            Path.Combine(AppContext.BaseDirectory, "python", folder));
        var exitCode = await run.WaitForExitAsync(RunTimeout);
        Assert.True(exitCode == 0, $"pytest in {folder} exited with {exitCode}:\n{run.Output}");
        Assert.Matches($@"(?m)^=+ {expectedPassed} passed in ", run.Output);
        return run.Output;
    }
}
