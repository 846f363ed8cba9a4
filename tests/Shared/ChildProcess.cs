using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// A process started by a test (the <c>switchboard</c> host, a sample, redis-server, nats-server, nginx, node, a shell
/// line, ...) with its output collected line by line, stdout and stderr interleaved and stdout alone. A test waits for
/// it to be ready (a line it prints, a port that accepts, or a probe of its own) with a timeout that also fails fast
/// when the process exits. Disposing ends it and its children, found from its own process id, and waits for the exit.
/// </summary>
/// <remarks>
/// One file linked into each test project that starts processes (<c>&lt;Compile Include=... Link=...&gt;</c>), not
/// part of the Switchboard.Testing package: it knows nothing of Switchboard, and an application's own tests have
/// their own ways (containers, CI services) to run Redis or NATS.
/// </remarks>
internal sealed class ChildProcess : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly string _name;
    private readonly List<string> _lines = [];
    private readonly List<string> _standardOutput = [];
    private readonly List<string> _standardError = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _keepsStandardInput;
    private event Action<string>? LineAdded;

    private ChildProcess(Process process, string name, bool keepsStandardInput)
    {
        _process = process;
        _name = name;
        _keepsStandardInput = keepsStandardInput;
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

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

    /// <summary>The lines of <see cref="Output"/>.</summary>
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

    /// <summary>What the process wrote to stdout alone (e.g. a JSON report), without its stderr.</summary>
    public string StandardOutput => string.Join('\n', StandardOutputLines);

    /// <summary>The lines of <see cref="StandardOutput"/>.</summary>
    public IReadOnlyList<string> StandardOutputLines
    {
        get
        {
            lock (_lines)
            {
                return [.. _standardOutput];
            }
        }
    }

    /// <summary>What the process wrote to stderr alone.</summary>
    public string StandardError
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _standardError);
            }
        }
    }

    /// <summary>The process's stdin, for a process started with <c>standardInput: true</c>; close it to send end of file.</summary>
    public StreamWriter StandardInput => _keepsStandardInput
        ? _process.StandardInput
        : throw new InvalidOperationException("started without standardInput: true, so its stdin is closed");

    /// <summary>Runs the <c>switchboard</c> host built next to the tests: <c>dotnet switchboard.dll args...</c>.</summary>
    public static ChildProcess Switchboard(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, bool standardInput = false) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "switchboard.dll"), .. args], environment, workingDirectory, standardInput);

    /// <summary>Runs one line of shell, as a user would type it: <c>bash -c line</c>.</summary>
    public static ChildProcess Shell(string line, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null) =>
        Start("bash", ["-c", line], environment, workingDirectory);

    /// <summary>
    /// Starts <paramref name="program"/> with its output collected and its stdin closed, or left open for the test to
    /// write (<see cref="StandardInput"/>) with <paramref name="standardInput"/>. Throws
    /// <see cref="System.ComponentModel.Win32Exception"/> when the program is not installed.
    /// </summary>
    public static ChildProcess Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, bool standardInput = false)
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
        var child = new ChildProcess(process, string.Join(' ', [Path.GetFileName(program), .. info.ArgumentList.Take(2)]), standardInput);
        process.OutputDataReceived += (_, e) => child.Add(e.Data, fromStandardOutput: true);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data, fromStandardOutput: false);
        process.Exited += (_, _) => child._exited.TrySetResult();
        process.Start();
        if (!standardInput)
        {
            process.StandardInput.Close();
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for an output line (stdout or stderr) matching <paramref name="pattern"/> and returns the match.</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(string line)
        {
            if (regex.Match(line) is { Success: true } match)
            {
                found.TrySetResult(match);
            }
        }

        LineAdded += Check;
        try
        {
            // After subscribing, so that a line arriving now is seen by one of the two.
            foreach (var line in Lines)
            {
                Check(line);
            }

            using var timer = new CancellationTokenSource(timeout);
            var finished = await Task.WhenAny(found.Task, _exited.Task, Task.Delay(Timeout.Infinite, timer.Token));
            if (finished == _exited.Task && !found.Task.IsCompleted)
            {
                await DrainAsync(); // The line may have come with the exit.
            }

            if (found.Task.IsCompleted)
            {
                return await found.Task;
            }

            throw Failure($"expected a line matching /{pattern}/ but {WhyNot(finished == _exited.Task, timeout)}");
        }
        finally
        {
            LineAdded -= Check;
        }
    }

    /// <summary>
    /// Polls <paramref name="isReady"/> (e.g. a protocol ping) every 20 ms until it says yes; fails when the process
    /// exits or <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task WaitUntilAsync(string what, Func<Task<bool>> isReady, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await isReady())
        {
            if (HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                throw Failure($"expected {what} but {WhyNot(HasExited, timeout)}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until <paramref name="port"/> on 127.0.0.1 accepts a TCP connection.</summary>
    public Task WaitForPortAsync(int port, TimeSpan timeout) => WaitUntilAsync($"port {port} to accept", () => AcceptsAsync(port), timeout);

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        if (await Task.WhenAny(_exited.Task, Task.Delay(timeout)) != _exited.Task)
        {
            throw Failure($"expected the process to exit but {WhyNot(exited: false, timeout)}");
        }

        await _process.WaitForExitAsync(); // Drains the redirected streams.
        return _process.ExitCode;
    }

    /// <summary>Asks the process to stop as Ctrl+C would (SIGINT to this process only).</summary>
    public void Interrupt() => _ = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Kills the process and its children now (SIGKILL, as a crash or a pulled plug would) and waits for the exit.</summary>
    public async Task KillAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        Kill();
        _process.WaitForExit(DrainTimeout);
        _process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().WaitAsync(DrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            // The whole tree: `dotnet run` or `bash -c` start the program as a child, which would outlive its parent and
            // hold the output open. The tree is found from this process's own id; nothing else is touched.
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private async Task DrainAsync() =>
        await _process.WaitForExitAsync().WaitAsync(DrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private string WhyNot(bool exited, TimeSpan timeout) =>
        exited ? $"the process exited with {_process.ExitCode}" : $"{timeout.TotalSeconds:0} s passed";

    private Xunit.Sdk.XunitException Failure(string message) => new($"{_name}: {message}; output:\n{Output}");

    private void Add(string? line, bool fromStandardOutput)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            (fromStandardOutput ? _standardOutput : _standardError).Add(line);
        }

        LineAdded?.Invoke(line);
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>Free TCP ports on 127.0.0.1 for programs that cannot be given port 0 (redis-server, nats-server, nginx).</summary>
internal static class LoopbackPort
{
    /// <summary>A port the OS had free a moment ago: bound with port 0, then released.</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
