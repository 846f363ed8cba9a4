using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Server;
using Switchboard.Brokers;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// A real Switchboard server on Kestrel at 127.0.0.1 (the pattern of the server tests' TestServer), which can be
/// stopped and started again on the same port. With a shared <see cref="MemoryBroker"/>, channel history outlives the
/// host, as it would outlive a node restart with a persistent broker.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly Action<SwitchboardOptions>? _configure;
    private readonly Action<IServiceCollection>? _configureServices;
    private WebApplication? _app;

    private ServerHost(Action<SwitchboardOptions>? configure, Action<IServiceCollection>? configureServices, MemoryBroker broker)
    {
        _configure = configure;
        _configureServices = configureServices;
        Broker = broker;
    }

    /// <summary>The broker every start of this host uses.</summary>
    public MemoryBroker Broker { get; }

    public int Port { get; private set; }

    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/ws");

    /// <summary>Starts a host; <paramref name="configureServices"/> adds to its services (e.g. security options).</summary>
    public static async Task<ServerHost> StartAsync(Action<SwitchboardOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        var host = new ServerHost(configure, configureServices, new MemoryBroker());
        await host.StartAsync(0);
        return host;
    }

    /// <summary>
    /// Starts on a port below the OS's ephemeral range (32768+ on Linux), for tests that restart the host: while it is
    /// stopped, a port from the ephemeral range could be handed to some outgoing connection on this busy machine and
    /// the restart would fail with "address in use".
    /// </summary>
    public static async Task<ServerHost> StartRestartableAsync(Action<SwitchboardOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        var host = new ServerHost(configure, configureServices, new MemoryBroker());
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await host.StartAsync(Random.Shared.Next(20_000, 32_000));
                return host;
            }
            catch (IOException) when (attempt < 20)
            {
                // Taken by another test or process: try another.
            }
        }
    }

    /// <summary>Starts again on the same port, with the same broker.</summary>
    public Task RestartAsync() => StartAsync(Port);

    /// <summary>Stops gracefully: clients get close 1001.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter(_ => false);
        builder.Services.AddSingleton<IBroker>(Broker);
        builder.Services.AddSwitchboard(o =>
        {
            o.AddRpc("echo", static (request, _) => ValueTask.FromResult(request.Params));
            o.DrainTimeout = TimeSpan.FromSeconds(2);
            _configure?.Invoke(o);
        });
        _configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapSwitchboard("/ws");
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        Port = address.Port;
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Broker.Dispose();
    }
}
