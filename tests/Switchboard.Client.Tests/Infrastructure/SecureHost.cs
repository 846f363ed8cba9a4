using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Security;
using Switchboard.Server.Tests.Security;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// A real Switchboard server that requires HS256 tokens (<c>Switchboard:Auth</c>: secret, issuer, audience, no clock
/// skew, a short <c>TokenExpiringAhead</c>), and tokens for it made with the server tests' <see cref="Jwt"/>.
/// </summary>
public static class SecureHost
{
    public const string SecretText = "switchboard-client-tests-secret-of-32-bytes-or-more";

    /// <summary>How long before <c>exp</c> the server sends <c>token_expiring</c>.</summary>
    public static readonly TimeSpan ExpiringAhead = TimeSpan.FromSeconds(2);

    private static readonly byte[] Secret = Encoding.UTF8.GetBytes(SecretText);
    private static readonly byte[] ForeignSecret = Encoding.UTF8.GetBytes("not-the-server-secret-but-long-enough-for-hs256");

    /// <summary>Starts the secured server; <paramref name="limits"/> sets its connection limits (e.g. the command rate).</summary>
    public static Task<ServerHost> StartAsync(Action<SwitchboardLimitOptions>? limits = null) => ServerHost.StartAsync(configureServices: services => services.Configure<SwitchboardSecurityOptions>(o =>
    {
        limits?.Invoke(o.Limits);
        o.Auth.Secret = SecretText;
        o.Auth.Issuer = Jwt.Issuer;
        o.Auth.Audience = Jwt.Audience;
        o.Auth.ClockSkew = TimeSpan.Zero;
        o.Auth.TokenExpiringAhead = ExpiringAhead;
    }));

    /// <summary>A valid token for <paramref name="sub"/> that expires at <paramref name="exp"/> (unix seconds; default in an hour).</summary>
    public static string Token(string sub, long? exp = null, JsonObject? info = null)
    {
        var claims = Jwt.Claims(sub);
        if (exp is not null)
        {
            claims["exp"] = exp;
        }

        if (info is not null)
        {
            claims["info"] = info;
        }

        return Jwt.Hs256(Secret, claims);
    }

    /// <summary>A well-formed token signed with another secret: the server refuses it ("invalid signature").</summary>
    public static string ForeignToken(string sub) => Jwt.Hs256(ForeignSecret, Jwt.Claims(sub));

    /// <summary>When a token with <paramref name="exp"/> is expired for the server (no clock skew configured).</summary>
    public static DateTimeOffset ExpiresAt(long exp) => DateTimeOffset.FromUnixTimeSeconds(exp);
}
