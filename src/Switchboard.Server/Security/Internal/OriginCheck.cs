using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Security.Internal;

/// <summary>
/// The upgrade request's <c>Origin</c>, checked before the upgrade: the defence against cross-site WebSocket hijacking,
/// where another site's page opens the socket in the victim's browser and the browser attaches the victim's cookies
/// (WebSockets are not subject to CORS, so nothing else stops it). The endpoint's CORS policy (<c>RequireCors</c>,
/// <c>[EnableCors]</c>) and <c>Switchboard:AllowedOrigins</c> each restrict when present. With neither, a user the
/// application signed in by an ambient credential (a cookie, Negotiate: anything but an <c>Authorization</c> header,
/// which a page cannot set on a WebSocket) may connect from the server's own origin only; other clients from anywhere.
/// </summary>
/// <remarks>Thread safety: safe from many threads.</remarks>
internal sealed class OriginCheck
{
    private readonly SecurityPolicy _policy;
    private readonly IServiceProvider _services;
    private readonly ILogger<OriginCheck> _logger;

    public OriginCheck(SecurityPolicy policy, IServiceProvider services, ILogger<OriginCheck> logger)
    {
        _policy = policy;
        _services = services;
        _logger = logger;
    }

    /// <summary>
    /// Whether the upgrade's origin may connect. <paramref name="cookieGoesToBackend"/>: the protocol's clients without a
    /// token are whoever the connect proxy says from the forwarded cookie, which makes that cookie an ambient credential
    /// too (docs/proxy.md, Security).
    /// </summary>
    public async ValueTask<bool> IsAllowedAsync(HttpContext context, bool cookieGoesToBackend = false)
    {
        var origins = context.Request.Headers.Origin;
        if (origins.Count == 0)
        {
            return true; // Not a browser: Origin protects browsers' cookies and sessions, which other clients do not carry.
        }

        var origin = (origins.Count == 1 ? origins[0] ?? string.Empty : string.Empty).TrimEnd('/');
        var cors = await EndpointCorsPolicyAsync(context).ConfigureAwait(false);
        bool allowed;
        if (cors.HasPolicy)
        {
            allowed = cors.Policy is { } policy && (policy.AllowAnyOrigin || policy.IsOriginAllowed(origin));
            allowed &= _policy.AllowedOrigins is not { } list || list.Contains(origin);
        }
        else if (_policy.AllowedOrigins is { } list)
        {
            allowed = list.Contains(origin);
        }
        else if (!_policy.AnyOrigin && (IsAmbientSignIn(context) || (cookieGoesToBackend && IsCookieForBackend(context))))
        {
            allowed = string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host.Value}", StringComparison.OrdinalIgnoreCase);
            if (!allowed)
            {
                SecurityLog.CrossSiteSignInRefused(_logger, Truncate(origin));
                return false;
            }
        }
        else
        {
            allowed = true;
        }

        if (!allowed)
        {
            SecurityLog.OriginRefused(_logger, Truncate(origin));
        }

        return allowed;
    }

    private static bool IsAmbientSignIn(HttpContext context) => AppSignIn.IsSignedIn(context) && context.Request.Headers.Authorization.Count == 0;

    /// <summary>A cookie the connect call would forward: there is one, and no token that would be used instead.</summary>
    private bool IsCookieForBackend(HttpContext context) =>
        context.Request.Headers.Cookie.Count > 0
        && (_policy.Tokens is null || ConnectionAdmission.TokenFromRequest(context.Request) is (null, null));

    /// <summary>The endpoint's CORS policy: none, or one (a named policy that does not resolve is a policy that allows nothing).</summary>
    private async ValueTask<(bool HasPolicy, CorsPolicy? Policy)> EndpointCorsPolicyAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata is null || metadata.GetMetadata<ICorsMetadata>() is not { } cors || cors is IDisableCorsAttribute)
        {
            return (false, null);
        }

        if (metadata.GetMetadata<ICorsPolicyMetadata>() is { } inline)
        {
            return (true, inline.Policy);
        }

        var name = metadata.GetMetadata<IEnableCorsAttribute>()?.PolicyName;
        var provider = _services.GetService<ICorsPolicyProvider>();
        return (true, provider is null ? null : await provider.GetPolicyAsync(context, name).ConfigureAwait(false));
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200];
}
