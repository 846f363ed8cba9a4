using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Switchboard.Bench;

/// <summary>
/// Opens bench WebSockets from several loopback source addresses (127.0.0.1 .. 127.0.0.N). One source address has
/// only the ephemeral port range (about 28,000 ports by default) to connect from; binding each socket to the next
/// address before connecting multiplies that. <see cref="ClientWebSocket"/> cannot bind, so each address gets a
/// <see cref="SocketsHttpHandler"/> whose connect callback binds, and the upgrade goes through it.
/// </summary>
/// <remarks>Thread safety: <see cref="ConnectAsync"/> may be called from many threads.</remarks>
internal sealed class ConnectionFactory : IDisposable
{
    private readonly HttpMessageInvoker[] _invokers;

    public ConnectionFactory(int sourceAddresses)
    {
        _invokers = Enumerable.Range(1, Math.Clamp(sourceAddresses, 1, 254)).Select(i => new HttpMessageInvoker(CreateHandler(new IPAddress([127, 0, 0, (byte)i])))).ToArray();
    }

    public int SourceAddresses => _invokers.Length;

    /// <summary>
    /// Enough source addresses for <paramref name="connections"/> with room to spare: 5,000 each plus one, because the
    /// ports of a previous run stay in TIME_WAIT for a minute and one address has only about 28,000.
    /// </summary>
    public static int AddressesFor(int connections) => Math.Min(254, 1 + ((connections + 4_999) / 5_000));

    public async Task<BenchClient> ConnectAsync(int index, Uri uri, BenchTarget target, IPublicationSink? sink, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // Heartbeats are the protocol's, answered by the client.
        try
        {
            await socket.ConnectAsync(uri, _invokers[index % _invokers.Length], cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new BenchClient(index, socket, target, sink);
        try
        {
            await target.HandshakeAsync(client, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return client;
    }

    public void Dispose()
    {
        foreach (var invoker in _invokers)
        {
            invoker.Dispose();
        }
    }

    private static SocketsHttpHandler CreateHandler(IPAddress source) => new()
    {
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
