using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Switchboard.Cli.Tests.Infrastructure;

/// <summary>
/// A process started by a test (the <c>switchboard</c> host, a shell line, nginx, ...) with its output collected line
/// by line. Disposing ends it and its children, by its own process id.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private event Action? LineAdded;

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>Runs the <c>switchboard</c> host built next to the tests: <c>dotnet switchboard.dll args...</c>.</summary>
    public static ChildProcess Switchboard(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "switchboard.dll"), .. args], environment, workingDirectory);

    /// <summary>Runs one line of shell, as a user would type it: <c>bash -c line</c>.</summary>
    public static ChildProcess Shell(string line, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null) =>
        Start("bash", ["-c", line], environment, workingDirectory);

    public static ChildProcess Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        process.Exited += (_, _) => child._exited.TrySetResult();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved as they arrived.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for an output line matching <paramref name="pattern"/> and returns the match.</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            foreach (var line in Lines)
            {
                if (regex.Match(line) is { Success: true } match)
                {
                    found.TrySetResult(match);
                    return;
                }
            }
        }

        LineAdded += Check;
        try
        {
            Check();
            var finished = await Task.WhenAny(found.Task, _exited.Task, Task.Delay(timeout));
            if (finished == found.Task)
            {
                return await found.Task;
            }

            Check(); // The line may have come with the exit.
            if (found.Task.IsCompleted)
            {
                return await found.Task;
            }

            var why = finished == _exited.Task ? $"the process exited with {_process.ExitCode}" : $"{timeout.TotalSeconds:0} s passed";
            throw new Xunit.Sdk.XunitException($"expected a line matching /{pattern}/ but {why}; output:\n{Output}");
        }
        finally
        {
            LineAdded -= Check;
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        if (await Task.WhenAny(_exited.Task, Task.Delay(timeout)) != _exited.Task)
        {
            throw new Xunit.Sdk.XunitException($"the process did not exit within {timeout.TotalSeconds:0} s; output:\n{Output}");
        }

        await _process.WaitForExitAsync(); // Drains the redirected streams.
        return _process.ExitCode;
    }

    /// <summary>Asks the process to stop as Ctrl+C would (SIGINT to this process only).</summary>
    public void Interrupt() => _ = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }

        LineAdded?.Invoke();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }

        _process.Dispose();
    }
}
