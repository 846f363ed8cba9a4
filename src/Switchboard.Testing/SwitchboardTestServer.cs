using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Server;

namespace Switchboard.Testing;

/// <summary>
/// A real Switchboard server in this process: Kestrel on 127.0.0.1 with a port the OS picks (or a given one), the
/// built-in protocol at <c>/ws</c>, in the Development environment (open mode: no token needed unless the options ask
/// for one) and with logging off. It also answers the RPC method <c>echo</c> with its params, so a test can check a
/// round trip without registering anything.
/// </summary>
/// <remarks>
/// Hand a <see cref="TimeProvider"/> (e.g. <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/>) to
/// drive heartbeats (close 4002) and token expiry (close 4001) without waiting real time. Map your own handlers and
/// endpoints in <c>configureApp</c>, e.g. <c>app => app.MapSwitchboardHandler&lt;ChatHandler&gt;("/chat/{room}")</c>.
/// Thread safety: start, stop and dispose from one test at a time; <see cref="ConnectAsync"/> from any thread.
/// </remarks>
public sealed class SwitchboardTestServer : IAsyncDisposable
{
    private readonly Action<SwitchboardOptions>? _configure;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly Action<WebApplication>? _configureApp;
    private readonly TimeProvider? _timeProvider;
    private WebApplication? _app;
    private bool _running;

    private SwitchboardTestServer(Action<SwitchboardOptions>? configure, Action<IServiceCollection>? configureServices, Action<WebApplication>? configureApp, TimeProvider? timeProvider)
    {
        _configure = configure;
        _configureServices = configureServices;
        _configureApp = configureApp;
        _timeProvider = timeProvider;
    }

    /// <summary>The port the server listens on (the same after <see cref="RestartAsync"/>).</summary>
    public int Port { get; private set; }

    /// <summary><c>http://127.0.0.1:PORT</c>, for the HTTP API, health and your own endpoints.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    /// <summary><c>ws://127.0.0.1:PORT/ws</c>, the built-in protocol.</summary>
    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/ws");

    /// <summary>The running application's services (<see cref="ISwitchboard"/>, the broker, options, metrics).</summary>
    public IServiceProvider Services => (_app ?? throw new InvalidOperationException("the server is not started")).Services;

    /// <summary>
    /// Starts a server and returns once it listens. <paramref name="configure"/> sets <see cref="SwitchboardOptions"/>;
    /// <paramref name="configureServices"/> adds services (a broker, security options, your own); <paramref name="configureApp"/>
    /// maps your handlers and endpoints beside <c>/ws</c>; <paramref name="timeProvider"/> becomes the server's clock;
    /// <paramref name="port"/> 0 lets the OS pick a free one.
    /// </summary>
    public static async Task<SwitchboardTestServer> StartAsync(
        Action<SwitchboardOptions>? configure = null,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureApp = null,
        TimeProvider? timeProvider = null,
        int port = 0)
    {
        var server = new SwitchboardTestServer(configure, configureServices, configureApp, timeProvider);
        await server.StartOnAsync(port).ConfigureAwait(false);
        return server;
    }

    /// <summary>Connects a test client to <c>/ws</c> (plus <paramref name="query"/>, e.g. <c>?batch=1</c>) and reads its <c>welcome</c>.</summary>
    public Task<SwitchboardTestClient> ConnectAsync(string query = "", Action<ClientWebSocketOptions>? options = null) =>
        SwitchboardTestClient.ConnectAsync(new Uri(WebSocketUri + query), options);

    /// <summary>Stops gracefully, as Ctrl+C would: the node drains and clients get close 1001. <see cref="Services"/> stays readable.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app && _running)
        {
            _running = false;
            await app.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops if running and starts a new application on the same port with the same setup (services registered as instances, such as a shared broker, carry over).</summary>
    public async Task RestartAsync()
    {
        await DisposeAppAsync().ConfigureAwait(false);
        await StartOnAsync(Port).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => DisposeAppAsync();

    private async ValueTask DisposeAppAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter(_ => false);
        if (_timeProvider is not null)
        {
            builder.Services.AddSingleton(_timeProvider);
        }

        builder.Services.AddSwitchboard(o =>
        {
            o.AddRpc("echo", static (request, _) => ValueTask.FromResult(request.Params));
            _configure?.Invoke(o);
        });
        _configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapSwitchboard("/ws");
        _configureApp?.Invoke(app);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Port = new Uri(address).Port;
        _app = app;
        _running = true;
    }
}
