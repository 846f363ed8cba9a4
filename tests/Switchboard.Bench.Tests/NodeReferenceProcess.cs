using System.Diagnostics;

namespace Switchboard.Bench.Tests;

/// <summary>
/// bench/NodeReference/server.js as a child process on a port the OS picks (<c>--port 0</c>); its URL is read from the
/// line it prints once listening. Needs <c>node</c> and the reference's <c>npm ci</c>, which test.sh runs.
/// </summary>
internal sealed class NodeReferenceProcess : IDisposable
{
    private readonly Process _process;

    private NodeReferenceProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<NodeReferenceProcess> StartAsync()
    {
        var directory = Path.Combine(RepositoryRoot(), "bench", "NodeReference");
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            throw new InvalidOperationException($"run 'npm ci' in {directory} first (test.sh does)");
        }

        var process = Process.Start(new ProcessStartInfo("node", ["server.js", "--port", "0"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start node");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                var at = line.IndexOf("http://", StringComparison.Ordinal);
                if (at >= 0)
                {
                    var address = new Uri(line[at..]);
                    return new NodeReferenceProcess(process, new Uri($"ws://{address.Authority}{address.AbsolutePath}"));
                }
            }

            throw new InvalidOperationException($"the node reference exited: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    public void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }

        process.Dispose();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchboard.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Switchboard.slnx not found above the test's directory");
    }
}
