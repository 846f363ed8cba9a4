using Switchboard.Tests.Infrastructure;

namespace Switchboard.Samples.Tests.Infrastructure;

/// <summary>
/// One sample running as its own process, as <c>dotnet run --project samples/NAME -- --urls ...</c> starts it (the
/// build test.sh made, run with <c>dotnet NAME.dll</c>), listening on 127.0.0.1 with a port the OS picks. Ready once
/// it logs "NAME listening on URL". Killed by its PID when disposed.
/// </summary>
public sealed class SampleProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // `dotnet run` first evaluates the project with MSBuild, which takes long on a loaded machine.
    private static readonly TimeSpan DotnetRunStartTimeout = TimeSpan.FromSeconds(180);
    private readonly ChildProcess _process;

    private SampleProcess(ChildProcess process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri BaseUri { get; }

    /// <summary>The process id, e.g. to stop it in a test.</summary>
    public int Pid => _process.Id;

    /// <summary>Everything the sample logged so far.</summary>
    public string Output => _process.Output;

    /// <summary>ws://127.0.0.1:PORT + <paramref name="pathAndQuery"/>.</summary>
    public Uri WebSocketUri(string pathAndQuery) => new($"ws://{BaseUri.Authority}{pathAndQuery}");

    /// <summary>Starts sample <paramref name="name"/> with settings given as <c>--Key=value</c> flags and waits until it listens.</summary>
    public static Task<SampleProcess> StartAsync(string name, params string[] settings) => StartAsync([Repository.SampleDll(name)], settings, StartTimeout);

    /// <summary>
    /// Starts the sample with the README's command, <c>dotnet run --project samples/NAME -- --urls ...</c>, on the
    /// build the tests use (<c>--no-build -c CONFIG</c>, so the test does not rebuild it).
    /// </summary>
    public static Task<SampleProcess> StartWithDotnetRunAsync(string name, params string[] settings) =>
        StartAsync(["run", "--no-build", "-c", Repository.Configuration, "--project", $"samples/{name}", "--"], settings, DotnetRunStartTimeout);

    private static async Task<SampleProcess> StartAsync(string[] command, string[] settings, TimeSpan timeout)
    {
        var process = ChildProcess.Start("dotnet", [.. command, "--urls", "http://127.0.0.1:0", .. settings], workingDirectory: Repository.Root);
        try
        {
            var listening = await process.WaitForLineAsync(@"listening on (http://127\.0\.0\.1:\d+)", timeout);
            return new SampleProcess(process, new Uri(listening.Groups[1].Value));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the process now (as a crash or a pulled plug would) and waits for it to exit.</summary>
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
