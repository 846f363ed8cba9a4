using System.Net;
using System.Net.Sockets;

namespace Switchboard.Redis.Tests;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of Redis, for one node's link, so a test can break that link alone:
/// <see cref="Cut"/> closes every connection and refuses new ones (a network partition that resets), and
/// <see cref="Pause"/> stops reading what Redis sends (the node's process frozen, as SIGSTOP would), so Redis's output
/// buffer for the node grows until Redis drops the connection.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly List<(TcpClient Client, TcpClient Server)> _pairs = [];
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _refusing;
    private volatile TaskCompletionSource _running = Completed();

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The StackExchange.Redis configuration string that goes through this proxy.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Closes every proxied connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _refusing = true;
        CloseAll();
    }

    public void Restore() => _refusing = false;

    /// <summary>Stops reading from Redis (a frozen node) until <see cref="Resume"/>.</summary>
    public void Pause() => _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Resume() => _running.TrySetResult();

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Resume();
        CloseAll();
        return ValueTask.CompletedTask;
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    private void CloseAll()
    {
        lock (_pairs)
        {
            foreach (var (client, server) in _pairs)
            {
                try
                {
                    client.Client?.LingerState = new LingerOption(true, 0); // reset, as a broken network path would
                }
                catch (ObjectDisposedException)
                {
                    // Already closed by its pump.
                }

                client.Dispose();
                server.Dispose();
            }

            _pairs.Clear();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_refusing)
            {
                client.Dispose();
                continue;
            }

            // Small buffers, so that a pause backs up into Redis's output buffer quickly instead of into the kernel.
            var server = new TcpClient { ReceiveBufferSize = 8 * 1024 };
            client.SendBufferSize = 8 * 1024;
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_pairs)
            {
                _pairs.Add((client, server));
            }

            _ = PumpAsync(client, server, pausable: false);
            _ = PumpAsync(server, client, pausable: true);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool pausable)
    {
        var buffer = new byte[8 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            while (true)
            {
                if (pausable)
                {
                    await _running.Task;
                }

                var read = await source.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                await target.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Cut, or the other side closed.
        }

        from.Dispose();
        to.Dispose();
    }
}
