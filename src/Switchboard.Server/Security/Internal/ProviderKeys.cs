using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Switchboard.Server.Security.Internal;

/// <summary>
/// The signing keys of an OpenID Connect provider (<c>Switchboard:Auth:Authority</c>, by discovery) or a JWKS URL
/// (<c>Switchboard:Auth:JwksUrl</c>), held by Microsoft.IdentityModel's <see cref="ConfigurationManager{T}"/>: cached,
/// refreshed on schedule, and refreshed when a token names an unknown <c>kid</c> at most once per
/// <c>KeyRefreshInterval</c>. A provider that goes down leaves the cached keys working. Documents are read with a
/// timeout and a size cap (<see cref="MaxDocumentBytes"/>), so that a slow or huge answer costs bounded time and memory.
/// </summary>
/// <remarks>Thread safety: safe from many threads.</remarks>
internal sealed class ProviderKeys : IDisposable
{
    /// <summary>The largest discovery or JWKS document read; a provider's JWKS is a few kilobytes.</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    private readonly HttpClient? _http;
    private readonly ILogger<ProviderKeys> _logger;
    private volatile string? _failure;
    private volatile bool _hasKeys;

    public ProviderKeys(IOptions<SwitchboardSecurityOptions> options, ILogger<ProviderKeys> logger)
    {
        _logger = logger;
        var auth = options.Value.Auth;
        if (!auth.HasProvider)
        {
            return;
        }

        var authority = auth.Authority?.Trim().TrimEnd('/');
        Address = !string.IsNullOrWhiteSpace(authority) ? authority + "/.well-known/openid-configuration" : auth.JwksUrl!.Trim();
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = auth.MetadataTimeout, MaxResponseContentBufferSize = MaxDocumentBytes };
        var documents = new HttpDocumentRetriever(_http) { RequireHttps = auth.RequireHttpsMetadata && !IsLoopback(Address) };
        IConfigurationRetriever<OpenIdConnectConfiguration> retriever = !string.IsNullOrWhiteSpace(authority) ? new DiscoveryRetriever(authority) : new JwksRetriever();
        Manager = new ConfigurationManager<OpenIdConnectConfiguration>(Address, retriever, documents) { RefreshInterval = auth.KeyRefreshInterval };
        _failure = "not fetched yet";
    }

    /// <summary>The configuration manager tokens are validated with, or <see langword="null"/> without a provider.</summary>
    public ConfigurationManager<OpenIdConnectConfiguration>? Manager { get; }

    /// <summary>The discovery or JWKS address.</summary>
    public string? Address { get; }

    /// <summary>Whether keys were ever loaded (they stay cached while the provider is down).</summary>
    public bool HasKeys => _hasKeys;

    /// <summary>Why no keys are loaded yet, or <see langword="null"/>.</summary>
    public string? Failure => _hasKeys ? null : _failure;

    /// <summary>Fetches the keys now (or takes the cached ones); <see langword="true"/> when there are keys.</summary>
    public async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (Manager is null)
        {
            return true;
        }

        try
        {
            var configuration = await Manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            if (configuration.SigningKeys.Count == 0)
            {
                throw new InvalidOperationException("the provider published no signing keys");
            }

            if (!_hasKeys)
            {
                SecurityLog.ProviderKeysLoaded(_logger, Address!, configuration.SigningKeys.Count);
            }

            _hasKeys = true;
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failure = Describe(ex);
            if (!_hasKeys)
            {
                SecurityLog.ProviderKeysUnavailable(_logger, Address!, _failure);
            }

            return _hasKeys;
        }
    }

    /// <summary>What is wrong with the provider settings, if anything.</summary>
    public static IEnumerable<string> Validate(SwitchboardAuthOptions auth)
    {
        foreach (var (setting, value) in new[] { ("Authority", auth.Authority), ("JwksUrl", auth.JwksUrl) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                yield return $"Switchboard:Auth:{setting} must be an absolute http(s) URL.";
            }
            else if (uri.Scheme == Uri.UriSchemeHttp && auth.RequireHttpsMetadata && !IsLoopback(value))
            {
                yield return $"Switchboard:Auth:{setting} must use https (keys fetched in clear text can be replaced on the way), or set Switchboard:Auth:RequireHttpsMetadata=false.";
            }
        }

        if (!string.IsNullOrWhiteSpace(auth.Authority) && !string.IsNullOrWhiteSpace(auth.JwksUrl))
        {
            yield return "Switchboard:Auth: set Authority or JwksUrl, not both (discovery names the JWKS URL).";
        }

        if (auth.KeyRefreshInterval < BaseConfigurationManager.MinimumRefreshInterval)
        {
            yield return "Switchboard:Auth:KeyRefreshInterval must be at least 00:00:01.";
        }

        if (auth.MetadataTimeout <= TimeSpan.Zero)
        {
            yield return "Switchboard:Auth:MetadataTimeout must be positive.";
        }
    }

    public void Dispose() => _http?.Dispose();

    private static bool IsLoopback(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    /// <summary>Why a fetch failed, by the kind of failure: never the document's content or the library's message text.</summary>
    private static string Describe(Exception exception)
    {
        string? answered = null;
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case ProviderDocumentException document:
                    return document.Message;
                case TaskCanceledException or TimeoutException:
                    return "the provider did not answer in time";
                case HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded }:
                    return $"the document is larger than {MaxDocumentBytes} bytes";
                case HttpRequestException { StatusCode: { } status }:
                    return $"the provider answered HTTP {(int)status}";
                case HttpRequestException request:
                    return $"the provider cannot be reached ({request.HttpRequestError})";
                case System.Text.Json.JsonException or ArgumentException:
                    return "the provider's document is not valid JSON of the expected shape";
                case IOException io when io.Data[HttpDocumentRetriever.StatusCode] is HttpStatusCode status:
                    answered = $"the provider answered HTTP {(int)status}"; // The retriever's own error for a non-success answer.
                    break;
            }
        }

        return answered ?? "the keys could not be fetched";
    }

    /// <summary>A provider document that was read but is not acceptable; its message says why.</summary>
    private sealed class ProviderDocumentException(string message) : Exception(message);

    /// <summary>Discovery, then its JWKS; the discovery document must name the authority as its issuer (OpenID Connect Discovery 1.0, section 4.3).</summary>
    private sealed class DiscoveryRetriever(string authority) : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(address, retriever, cancel).ConfigureAwait(false);
            if (!string.Equals(configuration.Issuer?.TrimEnd('/'), authority, StringComparison.Ordinal))
            {
                throw new ProviderDocumentException($"the discovery document's issuer is not the authority {authority}");
            }

            return configuration;
        }
    }

    /// <summary>A JWKS document alone, as the configuration's signing keys.</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var document = await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false);
            var set = new JsonWebKeySet(document);
            var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = set };
            foreach (var key in set.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}
