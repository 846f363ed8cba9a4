using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Redis.Tests;

/// <summary>
/// A real <c>redis-server</c> child process on a free 127.0.0.1 port, without persistence, for one test class
/// (<c>IClassFixture</c>). Redis has no port 0, so a port is picked by binding a socket to port 0 and closing it.
/// It can be killed and started again on the same port, as an outage would. Killed by its PID at the end.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private ChildProcess? _process;

    public int Port { get; private set; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        Port = LoopbackPort.Free();
        await StartAsync();
    }

    /// <summary>Starts redis-server on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        try
        {
            _process = ChildProcess.Start("redis-server", ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"]);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed (apt-get install -y redis-server); test.sh installs it.", ex);
        }

        try
        {
            await _process.WaitUntilAsync($"redis-server to answer PING on port {Port}", PingAsync, TimeSpan.FromSeconds(10));
        }
        catch
        {
            await KillAsync();
            throw;
        }
    }

    /// <summary>Kills the server at once (SIGKILL), losing everything it held.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await process.DisposeAsync();
        }
    }

    public Task DisposeAsync() => KillAsync();

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
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
