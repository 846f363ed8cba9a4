using Switchboard.Tests.Infrastructure;

namespace Switchboard.Bench.Tests;

/// <summary>
/// bench/NodeReference/server.js as a child process on a port the OS picks (<c>--port 0</c>); its URL is read from the
/// line it prints once listening. Needs <c>node</c> and the reference's <c>npm ci</c>, which test.sh runs.
/// </summary>
internal sealed class NodeReferenceProcess : IDisposable
{
    private readonly ChildProcess _process;

    private NodeReferenceProcess(ChildProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The node process's id, whose CPU and memory the bench reads.</summary>
    public int Pid => _process.Id;

    public static async Task<NodeReferenceProcess> StartAsync()
    {
        var directory = Path.Combine(RepositoryRoot(), "bench", "NodeReference");
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            throw new InvalidOperationException($"run 'npm ci' in {directory} first (test.sh does)");
        }

        var process = ChildProcess.Start("node", ["server.js", "--port", "0"], workingDirectory: directory);
        try
        {
            var listening = await process.WaitForLineAsync(@"(http://\S+)", TimeSpan.FromSeconds(30));
            var address = new Uri(listening.Groups[1].Value);
            return new NodeReferenceProcess(process, new Uri($"ws://{address.Authority}{address.AbsolutePath}"));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    public void Dispose() => _process.Dispose();

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
