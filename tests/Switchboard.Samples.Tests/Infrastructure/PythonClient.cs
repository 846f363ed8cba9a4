using System.Diagnostics;
using System.Text;

namespace Switchboard.Samples.Tests.Infrastructure;

/// <summary>
/// Runs a seed's Python client script (python/*.py) with Debian's system python3, which has python3-websockets and
/// python3-websocket (test.sh installs them). The script asserts what the client observes and exits non-zero with
/// the reason when something is wrong; it bounds its own run time, and this runner kills it after 240 s.
/// </summary>
public static class PythonClient
{
    private const string Python = "/usr/bin/python3";

    /// <summary>The script's exit code and everything it printed.</summary>
    public sealed record Run(int ExitCode, string Output);

    /// <summary>Runs python/<paramref name="script"/> with <paramref name="arguments"/>; fails the test when it does not exit 0.</summary>
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var run = await StartAsync(script, arguments);
        Assert.True(run.ExitCode == 0, $"{script} exited with {run.ExitCode}:\n{run.Output}");
        return run.Output;
    }

    /// <summary>Runs python/<paramref name="script"/> and returns how it ended, whatever the exit code.</summary>
    public static async Task<Run> StartAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONIOENCODING"] = "utf-8";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
            return new Run(-1, "timed out after 240 s:\n" + Read(output));
        }

        process.WaitForExit(); // Flushes the redirected output.
        return new Run(process.ExitCode, Read(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
