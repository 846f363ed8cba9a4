using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.Nats.Tests;

/// <summary>
/// A real <c>nats-server</c> child process with JetStream (its store in a temporary folder) on a free 127.0.0.1 port,
/// for one test class (<c>IClassFixture</c>). It can be killed and started again on the same port and store, as an
/// outage would. Killed by its PID at the end; the folder is deleted.
/// </summary>
public sealed class NatsServer : IAsyncLifetime
{
    private readonly string _store = Directory.CreateTempSubdirectory("switchboard-nats-").FullName;
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>The URL to connect to.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await StartAsync();
    }

    /// <summary>Starts nats-server on <see cref="Port"/> and waits until it greets a client with INFO.</summary>
    public async Task StartAsync()
    {
        // Debian installs it in /usr/sbin, which is not on every user's PATH.
        var executable = File.Exists("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server";
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-a", "127.0.0.1", "-p", Port.ToString(), "-js", "-sd", _store })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("nats-server is not installed (apt-get install -y nats-server); test.sh installs it.", ex);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await GreetsAsync())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"nats-server did not start on port {Port}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would; JetStream keeps what it had stored.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_store, recursive: true);
        }
        catch (IOException)
        {
            // A file still held: the temporary folder is cleaned by the system.
        }
    }

    private async Task<bool> GreetsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var buffer = new byte[4];
            var read = await client.GetStream().ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read) == "INFO";
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
