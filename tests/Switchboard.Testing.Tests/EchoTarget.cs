using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Switchboard.Testing.Tests;

/// <summary>A TCP echo server on 127.0.0.1 that also reports what it received, in arrival order, to wait on.</summary>
internal sealed class EchoTarget : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();

    public EchoTarget()
    {
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The next chunk of text the target received on any connection.</summary>
    public async Task<string> NextReceivedAsync() =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(SwitchboardTestClient.DefaultTimeout);

    public void Dispose() => _listener.Dispose();

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                _ = EchoAsync(await _listener.AcceptTcpClientAsync());
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task EchoAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[1024];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    _received.Writer.TryWrite(Encoding.ASCII.GetString(buffer, 0, read));
                    await stream.WriteAsync(buffer.AsMemory(0, read));
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
