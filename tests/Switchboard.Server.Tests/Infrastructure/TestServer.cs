using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Server;

namespace Switchboard.Server.Tests.Infrastructure;

/// <summary>A real Switchboard server on Kestrel, listening on 127.0.0.1 with a port the OS picks.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri BaseUri { get; }

    /// <summary>ws://127.0.0.1:PORT/ws</summary>
    public Uri WebSocketUri => new($"ws://{BaseUri.Authority}/ws");

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server. <paramref name="configure"/> adjusts options; <paramref name="configureServices"/> and
    /// <paramref name="configureApp"/> add to the application for tests of integrations.</summary>
    public static async Task<TestServer> StartAsync(
        Action<SwitchboardOptions>? configure = null,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureApp = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter(_ => false);
        builder.Services.AddSwitchboard(o =>
        {
            o.AddRpc("echo", static (request, _) => ValueTask.FromResult(request.Params));
            configure?.Invoke(o);
        });
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapSwitchboard("/ws");
        configureApp?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestServer(app, new Uri(address));
    }

    /// <summary>Connects a new test client.</summary>
    public Task<TestClient> ConnectAsync(string query = "", Action<System.Net.WebSockets.ClientWebSocketOptions>? options = null) =>
        TestClient.ConnectAsync(new Uri(WebSocketUri + query), options);

    /// <summary>Stops the server gracefully (drain), as Ctrl+C would.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
