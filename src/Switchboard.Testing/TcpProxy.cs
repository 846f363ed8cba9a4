using System.Net;
using System.Net.Sockets;

namespace Switchboard.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a port on 127.0.0.1 (a Switchboard server, Redis, NATS), to break the network
/// under live connections, one fault at a time or together:
/// <list type="bullet">
/// <item><see cref="Cut"/>: resets every connection and refuses new ones until <see cref="Restore"/> (a partition).</item>
/// <item><see cref="ResetConnections"/>: resets every open connection; new ones go through (a crashed peer, a lost NAT entry).</item>
/// <item><see cref="BlackHole"/>: the open connections stay open but forward nothing, in one or both directions (a dead route).</item>
/// <item><see cref="Delay"/>: everything forwarded from now on arrives that much later, in order (a slow link).</item>
/// <item><see cref="Pause"/>: stops reading what the target sends, so its send buffers fill (a frozen client process).</item>
/// </list>
/// </summary>
/// <remarks>Thread safety: every member may be called from any thread.</remarks>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly List<ProxyLink> _links = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private volatile bool _refusing;
    private volatile TaskCompletionSource _running = Running();
    private long _delayTicks;
    private long _bytesDropped;
    private int _accepted;

    /// <summary>Starts listening on a free port of 127.0.0.1 and forwards each connection to <paramref name="targetPort"/> on 127.0.0.1.</summary>
    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The proxy's port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary><c>127.0.0.1:PORT</c>: e.g. a StackExchange.Redis configuration string that goes through the proxy.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary><c>ws://127.0.0.1:PORT/ws</c>: a Switchboard server's built-in protocol through the proxy.</summary>
    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/ws");

    /// <summary>How many connections the proxy accepted so far (refused ones included).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>How many bytes black-holed connections have read and dropped so far (a test waits on it to know a fault took effect).</summary>
    public long BytesDropped => Interlocked.Read(ref _bytesDropped);

    /// <summary>The delay now applied to forwarded bytes (zero: none).</summary>
    internal TimeSpan CurrentDelay => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));

    /// <summary>Resets every open connection and refuses (accepts and resets) new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _refusing = true;
        ResetConnections();
    }

    /// <summary>Resets every open connection (a TCP RST to both sides); new connections are forwarded as usual.</summary>
    public void ResetConnections()
    {
        foreach (var link in Snapshot())
        {
            link.Reset();
        }
    }

    /// <summary>
    /// On every open connection, reads and drops the bytes going in <paramref name="direction"/>; the sockets stay
    /// open. Connections made later are not affected. "Open" means accepted by the proxy: a client's connect can
    /// return before that, so make one round trip through a new connection before black-holing it.
    /// </summary>
    public void BlackHole(ProxyDirection direction = ProxyDirection.Both)
    {
        foreach (var link in Snapshot())
        {
            link.BlackHole(direction);
        }
    }

    /// <summary>Holds every chunk read from now on for <paramref name="delay"/> before forwarding it, in order, on all connections (new ones too). <see cref="TimeSpan.Zero"/> ends the delay.</summary>
    public void Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Interlocked.Exchange(ref _delayTicks, delay.Ticks);
    }

    /// <summary>Stops reading what the target sends, on all connections, until <see cref="Resume"/> or <see cref="Restore"/>.</summary>
    public void Pause()
    {
        if (_running.Task.IsCompleted)
        {
            _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Reads what the target sends again.</summary>
    public void Resume() => _running.TrySetResult();

    /// <summary>Ends every fault: new connections are accepted, black-holed connections forward again, no delay, no pause.</summary>
    public void Restore()
    {
        _refusing = false;
        Delay(TimeSpan.Zero);
        Resume();
        foreach (var link in Snapshot())
        {
            link.Forward();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        Resume();
        ResetConnections();
        _stop.Dispose();
    }

    /// <summary>Waits (with the pause) before reading from the target.</summary>
    internal Task WhenRunning => _running.Task;

    internal CancellationToken Stopping => _stop.Token;

    internal void Dropped(int bytes) => Interlocked.Add(ref _bytesDropped, bytes);

    internal void Forget(ProxyLink link)
    {
        lock (_links)
        {
            _links.Remove(link);
        }
    }

    private static TaskCompletionSource Running()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        running.SetResult();
        return running;
    }

    private List<ProxyLink> Snapshot()
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
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _accepted);
                if (_refusing)
                {
                    ProxyLink.ResetSocket(client);
                    continue;
                }

                // Small buffers, so that a pause backs up into the target's buffers quickly instead of into this kernel's.
                client.SendBufferSize = 8 * 1024;
                var server = new TcpClient { ReceiveBufferSize = 8 * 1024 };
                try
                {
                    await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    // The target is down: the client sees its connection reset, as it would without the proxy.
                    ProxyLink.ResetSocket(client);
                    server.Dispose();
                    continue;
                }

                var link = new ProxyLink(this, client, server);
                lock (_links)
                {
                    _links.Add(link);
                }

                link.Start();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Disposed.
        }
    }
}

/// <summary>Which way bytes go through a <see cref="TcpProxy"/>.</summary>
public enum ProxyDirection
{
    /// <summary>Both ways.</summary>
    Both,

    /// <summary>From the client to the target (requests, publishes).</summary>
    Upstream,

    /// <summary>From the target to the client (replies, deliveries).</summary>
    Downstream,
}
