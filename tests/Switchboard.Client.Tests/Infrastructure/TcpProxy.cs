using System.Net;
using System.Net.Sockets;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on 127.0.0.1 between a client and a server, to cut the network under a live connection: drop every
/// connection (reset), or black-hole them (keep the sockets open but forward nothing, as a dead route does).
/// New connections after a cut are forwarded normally.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Link> _links = [];
    private readonly Task _acceptLoop;

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/ws");

    /// <summary>How many connections were accepted so far.</summary>
    public int Accepted;

    /// <summary>Resets every open connection.</summary>
    public void DropAll()
    {
        foreach (var link in Snapshot())
        {
            link.Close();
        }
    }

    /// <summary>Stops forwarding in both directions on every open connection, leaving them open.</summary>
    public void BlackHoleAll()
    {
        foreach (var link in Snapshot())
        {
            link.Upstream = link.Downstream = false;
        }
    }

    /// <summary>Stops forwarding server-to-client bytes on every open connection (replies are lost, requests arrive).</summary>
    public void BlackHoleDownstream()
    {
        foreach (var link in Snapshot())
        {
            link.Downstream = false;
        }
    }

    private List<Link> Snapshot()
    {
        lock (_links)
        {
            return [.. _links];
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref Accepted);
                var server = new TcpClient();
                try
                {
                    await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                }
                catch (SocketException)
                {
                    client.Dispose();
                    server.Dispose();
                    continue;
                }

                var link = new Link(client, server);
                lock (_links)
                {
                    _links.Add(link);
                }

                link.Start();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        DropAll();
    }

    private sealed class Link
    {
        private readonly TcpClient _client;
        private readonly TcpClient _server;

        public Link(TcpClient client, TcpClient server)
        {
            _client = client;
            _server = server;
        }

        public volatile bool Upstream = true;
        public volatile bool Downstream = true;

        public void Start()
        {
            _ = PumpAsync(_client.GetStream(), _server.GetStream(), () => Upstream);
            _ = PumpAsync(_server.GetStream(), _client.GetStream(), () => Downstream);
        }

        private int _closed;

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }

            // Linger 0: a reset, as a crashed peer or a dropped NAT entry gives.
            try
            {
                _client.Client?.LingerState = new LingerOption(true, 0);
                _server.Client?.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
            }

            _client.Dispose();
            _server.Dispose();
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to, Func<bool> forward)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer);
                    if (read == 0)
                    {
                        break;
                    }

                    if (forward())
                    {
                        await to.WriteAsync(buffer.AsMemory(0, read));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
            {
            }

            if (forward())
            {
                Close();
            }
        }
    }
}
