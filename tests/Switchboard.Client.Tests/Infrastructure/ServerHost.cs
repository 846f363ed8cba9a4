using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server;
using Switchboard.Brokers;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// A real Switchboard server (Switchboard.Testing's <see cref="SwitchboardTestServer"/>) that can be stopped and
/// started again on the same port. With a shared <see cref="MemoryBroker"/>, channel history outlives the host, as it
/// would outlive a node restart with a persistent broker.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly SwitchboardTestServer _server;

    private ServerHost(SwitchboardTestServer server, MemoryBroker broker)
    {
        _server = server;
        Broker = broker;
    }

    /// <summary>The broker every start of this host uses.</summary>
    public MemoryBroker Broker { get; }

    public int Port => _server.Port;

    public Uri WebSocketUri => _server.WebSocketUri;

    /// <summary>Starts a host; <paramref name="configureServices"/> adds to its services (e.g. security options).</summary>
    public static Task<ServerHost> StartAsync(Action<SwitchboardOptions>? configure = null, Action<IServiceCollection>? configureServices = null) =>
        StartAsync(configure, configureServices, port: 0);

    /// <summary>
    /// Starts on a port below the OS's ephemeral range (32768+ on Linux), for tests that restart the host: while it is
    /// stopped, a port from the ephemeral range could be handed to some outgoing connection on this busy machine and
    /// the restart would fail with "address in use".
    /// </summary>
    public static async Task<ServerHost> StartRestartableAsync(Action<SwitchboardOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await StartAsync(configure, configureServices, Random.Shared.Next(20_000, 32_000));
            }
            catch (IOException) when (attempt < 20)
            {
                // Taken by another test or process: try another.
            }
        }
    }

    /// <summary>Starts again on the same port, with the same broker.</summary>
    public Task RestartAsync() => _server.RestartAsync();

    /// <summary>Stops gracefully: clients get close 1001.</summary>
    public Task StopAsync() => _server.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Broker.Dispose();
    }

    private static async Task<ServerHost> StartAsync(Action<SwitchboardOptions>? configure, Action<IServiceCollection>? configureServices, int port)
    {
        var broker = new MemoryBroker();
        try
        {
            var server = await SwitchboardTestServer.StartAsync(
                o =>
                {
                    o.DrainTimeout = TimeSpan.FromSeconds(2);
                    configure?.Invoke(o);
                },
                services =>
                {
                    services.AddSingleton<IBroker>(broker);
                    configureServices?.Invoke(services);
                },
                port: port);
            return new ServerHost(server, broker);
        }
        catch
        {
            broker.Dispose();
            throw;
        }
    }
}
