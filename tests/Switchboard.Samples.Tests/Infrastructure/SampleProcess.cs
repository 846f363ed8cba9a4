using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Samples.Tests.Infrastructure;

/// <summary>
/// One sample running as its own process, as <c>dotnet run --project samples/NAME -- --urls ...</c> starts it (the
/// build test.sh made, run with <c>dotnet NAME.dll</c>), listening on 127.0.0.1 with a port the OS picks. Ready once
/// it logs "NAME listening on URL". Killed by its PID when disposed.
/// </summary>
public sealed partial class SampleProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // `dotnet run` first evaluates the project with MSBuild, which takes long on a loaded machine.
    private static readonly TimeSpan DotnetRunStartTimeout = TimeSpan.FromSeconds(180);
    private readonly Process _process;
    private readonly StringBuilder _output;

    private SampleProcess(Process process, StringBuilder output, Uri baseUri)
    {
        _process = process;
        _output = output;
        BaseUri = baseUri;
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri BaseUri { get; }

    /// <summary>The process id, e.g. to stop it in a test.</summary>
    public int Pid => _process.Id;

    /// <summary>Everything the sample logged so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>ws://127.0.0.1:PORT + <paramref name="pathAndQuery"/>.</summary>
    public Uri WebSocketUri(string pathAndQuery) => new($"ws://{BaseUri.Authority}{pathAndQuery}");

    /// <summary>Starts sample <paramref name="name"/> with settings given as <c>--Key=value</c> flags and waits until it listens.</summary>
    public static Task<SampleProcess> StartAsync(string name, params string[] settings) => StartAsync(name, [Repository.SampleDll(name)], settings, StartTimeout);

    /// <summary>
    /// Starts the sample with the README's command, <c>dotnet run --project samples/NAME -- --urls ...</c>, on the
    /// build the tests use (<c>--no-build -c CONFIG</c>, so the test does not rebuild it).
    /// </summary>
    public static Task<SampleProcess> StartWithDotnetRunAsync(string name, params string[] settings) =>
        StartAsync(name, ["run", "--no-build", "-c", Repository.Configuration, "--project", $"samples/{name}", "--"], settings, DotnetRunStartTimeout);

    private static async Task<SampleProcess> StartAsync(string name, string[] command, string[] settings, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        foreach (var argument in command)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var output = new StringBuilder();
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (Listening().Match(e.Data) is { Success: true } match)
            {
                ready.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{name} exited with {process.ExitCode} before it listened:\n{Read(output)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var uri = await ready.Task.WaitAsync(timeout);
            return new SampleProcess(process, output, uri);
        }
        catch (TimeoutException)
        {
            Kill(process);
            throw new TimeoutException($"{name} did not log its address within {timeout.TotalSeconds} s:\n{Read(output)}");
        }
    }

    /// <summary>Kills the process now (as a crash or a pulled plug would) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            // The whole tree: `dotnet run` starts the sample as its child, which would outlive it and hold the output open.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
