using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Protocol;

namespace Switchboard.Server.Security.Internal;

/// <summary>
/// The application's own sign-in as the connection's identity: <c>HttpContext.User</c>, authenticated by any scheme the
/// application configured (cookies, JwtBearer, Negotiate, a custom handler), becomes a <see cref="ConnectionIdentity"/>
/// with the user id, roles and <c>channels</c> read from the configured claim types, and the ticket's expiry
/// (<c>AuthenticateResult.Properties.ExpiresUtc</c>, as SignalR reads it, else an <c>exp</c> claim). A refresh on a
/// live connection validates the new bearer token with the scheme that signed the user in.
/// </summary>
/// <remarks>Thread safety: safe from many threads.</remarks>
internal sealed class AppSignIn
{
    private readonly SwitchboardAuthOptions _auth;
    private readonly IServiceScopeFactory _scopes;

    public AppSignIn(IOptions<SwitchboardSecurityOptions> options, IServiceScopeFactory scopes)
    {
        _auth = options.Value.Auth;
        _scopes = scopes;
    }

    /// <summary>Whether the application's authentication signed a user in on this request.</summary>
    public static bool IsSignedIn(HttpContext context) => context.User.Identity?.IsAuthenticated == true;

    /// <summary>
    /// Reads the signed-in user of the upgrade request; call only when <see cref="IsSignedIn"/>. A user without a
    /// usable user id claim is an invalid check: refused rather than let in as someone unnamed.
    /// </summary>
    public TokenCheck Read(HttpContext context)
    {
        var result = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult;
        var scheme = result?.Ticket?.AuthenticationScheme ?? context.User.Identity?.AuthenticationType ?? "unknown";
        return FromPrincipal(context.User, result?.Properties?.ExpiresUtc, scheme);
    }

    /// <summary>
    /// Validates <paramref name="token"/> as an <c>Authorization: Bearer</c> header with <paramref name="scheme"/> (each
    /// scheme of a policy's <c>A;B</c>), as the application would on a request, and reads the user it signs in.
    /// </summary>
    public async ValueTask<TokenCheck> RefreshAsync(string scheme, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenCheck.Invalid("token is empty");
        }

        if (token.Length > _auth.MaxTokenLength)
        {
            return TokenCheck.Invalid("token is too long");
        }

        await using var scope = _scopes.CreateAsyncScope();
        var request = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        request.Request.Headers.Authorization = "Bearer " + token;
        string? error = null;
        foreach (var name in scheme.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var result = await request.AuthenticateAsync(name).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return FromPrincipal(result.Principal, result.Properties?.ExpiresUtc, scheme);
            }

            error ??= result.Failure is { } failure ? TokenValidator.Describe(failure) : null;
        }

        return TokenCheck.Invalid(error ?? "the token does not sign in with " + scheme);
    }

    private TokenCheck FromPrincipal(ClaimsPrincipal principal, DateTimeOffset? expiresUtc, string scheme)
    {
        var userId = UserId(principal);
        if (userId is not { Length: > 0 and <= TokenValidator.MaxUserIdLength })
        {
            return TokenCheck.Invalid(userId is null ? $"the signed-in user has no {_auth.UserIdClaim ?? "sub or NameIdentifier"} claim" : "the signed-in user's id is too long");
        }

        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in principal.Claims)
        {
            if (IsRole(claim))
            {
                roles.Add(claim.Value);
            }
        }

        List<ChannelPattern>? channels = null;
        foreach (var claim in principal.FindAll(_auth.ChannelsClaim))
        {
            if (!ChannelPattern.TryParse(claim.Value, out var pattern, out _))
            {
                return TokenCheck.Invalid($"the {_auth.ChannelsClaim} claim must hold channel patterns");
            }

            (channels ??= []).Add(pattern);
        }

        return new TokenCheck(new ConnectionIdentity
        {
            UserId = userId,
            Roles = roles,
            AllowedChannels = channels,
            ExpiresAt = expiresUtc ?? ExpClaim(principal),
            Claims = ClaimsObject(principal),
            AuthenticationScheme = scheme,
            Principal = principal,
        }, null);
    }

    private string? UserId(ClaimsPrincipal principal) => _auth.UserIdClaim is { } type
        ? principal.FindFirst(type)?.Value
        : (principal.FindFirst("sub") ?? principal.FindFirst(ClaimTypes.NameIdentifier))?.Value;

    private bool IsRole(Claim claim)
    {
        if (_auth.RoleClaim is { } type)
        {
            return claim.Type == type;
        }

        return claim.Type is "role" or "roles" or ClaimTypes.Role || claim.Type == (claim.Subject?.RoleClaimType ?? ClaimTypes.Role);
    }

    /// <summary>A JWT's <c>exp</c> kept as a claim (JwtBearer keeps it), for a ticket whose properties carry no expiry.</summary>
    private static DateTimeOffset? ExpClaim(ClaimsPrincipal principal) =>
        principal.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, DateTimeOffset.MaxValue.ToUnixTimeSeconds()))
            : null;

    private static JsonElement ClaimsObject(ClaimsPrincipal principal)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var group in principal.Claims.GroupBy(c => c.Type, StringComparer.Ordinal))
            {
                writer.WritePropertyName(group.Key);
                var values = group.ToList();
                if (values.Count == 1)
                {
                    writer.WriteStringValue(values[0].Value);
                    continue;
                }

                writer.WriteStartArray();
                foreach (var claim in values)
                {
                    writer.WriteStringValue(claim.Value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
