using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Tests.Proxy;

/// <summary>One call the backend received: its kind (the path), its JSON body and the headers that came with it.</summary>
public sealed record BackendCall(string Kind, JsonObject Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// The application's backend as the proxy sees it: an ASP.NET Core minimal app on real Kestrel (127.0.0.1, a port
/// the OS picks) answering <c>POST /{kind}</c> with whatever <see cref="Respond"/> writes (by default
/// <c>{"result":{}}</c>), recording every call and how many run at once.
/// </summary>
public sealed class ProxyBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _maxInFlight;

    private ProxyBackend(WebApplication app) => _app = app;

    /// <summary>Writes the answer to a call; replace it to change what the backend does.</summary>
    public Func<BackendCall, HttpContext, Task> Respond { get; set; } = static (_, context) => context.Response.WriteAsync("""{"result":{}}""");

    public ConcurrentQueue<BackendCall> Calls { get; } = new();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public Uri BaseUri { get; private set; } = null!;

    public string Url(string kind) => new Uri(BaseUri, kind).ToString();

    public static async Task<ProxyBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new ProxyBackend(app);
        app.MapPost("/{kind}", backend.HandleAsync);
        await app.StartAsync();
        backend.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return backend;
    }

    /// <summary>Answers with a JSON text.</summary>
    public static Task Json(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(string kind, HttpContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var max = MaxInFlight; inFlight > max && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max; max = MaxInFlight)
        {
        }

        try
        {
            var body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
            var call = new BackendCall(kind, body, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            Calls.Enqueue(call);
            await Respond(call, context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
