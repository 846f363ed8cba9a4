using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Nats.Tests;

/// <summary>
/// A real <c>nats-server</c> child process with JetStream (its store in a temporary folder) on a free 127.0.0.1 port,
/// for one test class (<c>IClassFixture</c>). It can be killed and started again on the same port and store, as an
/// outage would. Killed by its PID at the end; the folder is deleted.
/// </summary>
public sealed class NatsServer : IAsyncLifetime
{
    private readonly string _store = Directory.CreateTempSubdirectory("switchboard-nats-").FullName;
    private ChildProcess? _process;

    public int Port { get; private set; }

    /// <summary>The URL to connect to.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        Port = LoopbackPort.Free();
        await StartAsync();
    }

    /// <summary>Starts nats-server on <see cref="Port"/> and waits until it greets a client with INFO.</summary>
    public async Task StartAsync()
    {
        // Debian installs it in /usr/sbin, which is not on every user's PATH.
        var executable = File.Exists("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server";
        try
        {
            _process = ChildProcess.Start(executable, ["-a", "127.0.0.1", "-p", Port.ToString(), "-js", "-sd", _store]);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("nats-server is not installed (apt-get install -y nats-server); test.sh installs it.", ex);
        }

        try
        {
            await _process.WaitUntilAsync($"nats-server to greet with INFO on port {Port}", GreetsAsync, TimeSpan.FromSeconds(15));
        }
        catch
        {
            await KillAsync();
            throw;
        }
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would; JetStream keeps what it had stored.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await process.DisposeAsync();
        }
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
