using System.Diagnostics;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>Runs the real <c>switchboard</c> command-line host (built next to the tests) as a child process.</summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(Process process)
    {
        _process = process;
    }

    public static HostProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "switchboard.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) => host.Add(host._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => host.Add(host._stderr, e.Data);
        process.Exited += (_, _) => host._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    public StreamWriter StandardInput => _process.StandardInput;

    public List<string> StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return [.. _stdout];
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await _exited.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(); // Drains the redirected streams.
        return _process.ExitCode;
    }

    /// <summary>Waits until stderr has a line containing <paramref name="text"/>.</summary>
    public Task WaitForStderrAsync(string text) => Wait.UntilAsync(() => StandardError.Contains(text, StringComparison.Ordinal), $"'{text}' on stderr; got: {StandardError}", TimeSpan.FromSeconds(30));

    private void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
