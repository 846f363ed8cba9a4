using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Tests.Security;

namespace Switchboard.Server.Tests.Oidc;

/// <summary>How the stand-in's JWKS endpoint (and discovery) answers.</summary>
public enum ProviderMode
{
    Normal,
    Down, // HTTP 503 for every document.
    Slow, // Never answers (until the client gives up).
    Garbage, // 200 with a body that is not JSON.
    Huge, // 200 with a 50 MB body.
}

/// <summary>
/// An OpenID Connect provider in the test: real Kestrel on 127.0.0.1:0 serving discovery
/// (<c>/.well-known/openid-configuration</c>) and a JWKS (<c>/jwks</c>) of RSA keys that can rotate mid-test, with
/// hostile modes, counting the fetches. It issues RS256 tokens with its keys.
/// </summary>
public sealed class OidcStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string Kid, RSA Key)> _keys = [];
    private readonly Lock _lock = new();
    private int _discoveryFetches;
    private int _jwksFetches;

    private OidcStandIn(WebApplication app) => _app = app;

    public string Authority { get; private set; } = string.Empty;

    public ProviderMode Mode { get; set; }

    /// <summary>The issuer discovery names; the authority unless a test changes it.</summary>
    public string? IssuerOverride { get; set; }

    public int DiscoveryFetches => Volatile.Read(ref _discoveryFetches);

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    /// <summary>The kid of the newest key.</summary>
    public string CurrentKid
    {
        get
        {
            lock (_lock)
            {
                return _keys[^1].Kid;
            }
        }
    }

    public static async Task<OidcStandIn> StartAsync(ProviderMode mode = ProviderMode.Normal)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new OidcStandIn(app) { Mode = mode };
        standIn.Rotate();
        app.MapGet("/.well-known/openid-configuration", standIn.DiscoveryAsync);
        app.MapGet("/jwks", standIn.JwksAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        standIn.Authority = address.TrimEnd('/');
        return standIn;
    }

    /// <summary>Publishes a new key beside the old ones (as providers do ahead of signing with it); returns its kid.</summary>
    public string Rotate()
    {
        lock (_lock)
        {
            var kid = "key-" + (_keys.Count + 1);
            _keys.Add((kid, RSA.Create(2048)));
            return kid;
        }
    }

    /// <summary>The provider's claims for <paramref name="sub"/>: its issuer, the audience, an hour of validity.</summary>
    public JsonObject Claims(string sub)
    {
        var claims = Jwt.Claims(sub);
        claims["iss"] = Authority;
        return claims;
    }

    /// <summary>A token signed with the key <paramref name="kid"/> (default the newest) for <paramref name="claims"/>.</summary>
    public string Token(JsonObject claims, string? kid = null)
    {
        lock (_lock)
        {
            var (id, key) = kid is null ? _keys[^1] : _keys.Single(k => k.Kid == kid);
            return Jwt.Rs256(key, claims, id);
        }
    }

    public string Token(string sub, string? kid = null) => Token(Claims(sub), kid);

    /// <summary>The newest key's public half as PEM text: what an algorithm-confusion forger holds.</summary>
    public string PublicKeyPem()
    {
        lock (_lock)
        {
            return _keys[^1].Key.ExportSubjectPublicKeyInfoPem();
        }
    }

    private async Task DiscoveryAsync(HttpContext context)
    {
        Interlocked.Increment(ref _discoveryFetches);
        if (await HostileAsync(context))
        {
            return;
        }

        await context.Response.WriteAsJsonAsync(new JsonObject { ["issuer"] = IssuerOverride ?? Authority, ["jwks_uri"] = Authority + "/jwks" });
    }

    private async Task JwksAsync(HttpContext context)
    {
        Interlocked.Increment(ref _jwksFetches);
        if (await HostileAsync(context))
        {
            return;
        }

        var keys = new JsonArray();
        lock (_lock)
        {
            foreach (var (kid, key) in _keys)
            {
                var parameters = key.ExportParameters(includePrivateParameters: false);
                keys.Add(new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid, ["n"] = Base64Url.EncodeToString(parameters.Modulus), ["e"] = Base64Url.EncodeToString(parameters.Exponent) });
            }
        }

        await context.Response.WriteAsJsonAsync(new JsonObject { ["keys"] = keys });
    }

    private async Task<bool> HostileAsync(HttpContext context)
    {
        switch (Mode)
        {
            case ProviderMode.Down:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return true;
            case ProviderMode.Slow:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(static _ => { }, TaskScheduler.Default);
                return true;
            case ProviderMode.Garbage:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("<html>not { json");
                return true;
            case ProviderMode.Huge:
                context.Response.ContentType = "application/json";
                var chunk = new byte[64 * 1024];
                Array.Fill(chunk, (byte)' ');
                try
                {
                    for (var written = 0; written < 50 * 1024 * 1024 && !context.RequestAborted.IsCancellationRequested; written += chunk.Length)
                    {
                        await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    // The client stopped reading at its cap, as it should.
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>The provider goes down: nothing listens any more (its keys stay, to sign tokens with).</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        lock (_lock)
        {
            foreach (var (_, key) in _keys)
            {
                key.Dispose();
            }
        }
    }
}
