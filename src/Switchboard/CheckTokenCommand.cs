using System.CommandLine;
using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Host;

/// <summary>
/// <c>switchboard check-token TOKEN</c>: what <c>serve</c> would decide about a token with this configuration, decided
/// by serve's own validator (the keys, algorithms, issuer, audience, clock skew and claim rules of
/// <c>Switchboard:Auth</c>): accepted, with its user, roles, channels and expiry (exit 0), or refused with the reason a
/// client would get (exit 1). An invalid configuration exits 2 as <c>check-config</c> does.
/// </summary>
internal static class CheckTokenCommand
{
    /// <summary>The exit code of a token serve would refuse.</summary>
    public const int TokenRefused = 1;

    public static Command Create()
    {
        var token = new Argument<string>("token") { Description = "The token (JWT) to check, or - to read it from stdin (keeps it out of the process list)." };
        var options = new ServeCommandOptions();
        var command = new Command("check-token", "Say whether serve, with this configuration, would accept a token: its user, roles, channels and expiry, or why not (expired, invalid signature, invalid issuer, ...). Exit 0: accepted; 1: refused; 2: invalid configuration.") { token };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var text = parse.GetValue(token)!;
            if (text == "-")
            {
                text = (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim() ?? string.Empty;
            }

            await using var startup = ServeStartup.Prepare(options, parse);
            if (!startup.IsValid)
            {
                await startup.WriteListAsync(error).ConfigureAwait(false);
                return ServeStartup.Invalid;
            }

            var services = startup.App!.Services;
            var policy = services.GetRequiredService<SecurityPolicy>();
            if (policy.Tokens is null)
            {
                await error.WriteLineAsync("switchboard: serve refuses every token with this configuration: no key to check them with (set Switchboard:Auth:Secret, PublicKeyPem, PublicKeyFile, JwksFile, Authority or JwksUrl).").ConfigureAwait(false);
                return TokenRefused;
            }

            var keys = services.GetRequiredService<ProviderKeys>();
            if (!await keys.LoadAsync(cancellationToken).ConfigureAwait(false))
            {
                await error.WriteLineAsync($"switchboard: serve refuses tokens for now: the signing keys of {keys.Address} could not be loaded ({keys.Failure}).").ConfigureAwait(false);
                return TokenRefused;
            }

            var check = await policy.Tokens.ValidateAsync(text).ConfigureAwait(false);
            if (check.Identity is not { } identity)
            {
                await error.WriteLineAsync($"switchboard: serve refuses this token: {check.Error}{ExpiredAt(text, check.Error, policy.Tokens.ClockSkew)}.").ConfigureAwait(false);
                return TokenRefused;
            }

            await output.WriteLineAsync("switchboard: serve accepts this token").ConfigureAwait(false);
            await output.WriteLineAsync($"  user: {identity.UserId}").ConfigureAwait(false);
            await output.WriteLineAsync($"  roles: {(identity.Roles.Count == 0 ? "none" : string.Join(", ", identity.Roles.Order(StringComparer.Ordinal)))}").ConfigureAwait(false);
            await output.WriteLineAsync(identity.AllowedChannels is { } channels
                ? $"  channels: {string.Join(", ", channels)} (the token narrows subscriptions to these; the channel rules still apply)"
                : "  channels: not narrowed by the token (the channel rules decide)").ConfigureAwait(false);
            await output.WriteLineAsync(identity.ExpiresAt is { } expires
                ? $"  expires: {expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} ({Relative(expires - DateTimeOffset.UtcNow)})"
                : "  expires: never (no exp claim)").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>For an expired token, when it expired (its <c>exp</c>, read from the token itself).</summary>
    private static string ExpiredAt(string token, string? reason, TimeSpan clockSkew)
    {
        if (reason != "token expired")
        {
            return string.Empty;
        }

        try
        {
            var expires = new JsonWebToken(token).ValidTo;
            return $" (exp {expires.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}, {Relative(expires - DateTime.UtcNow)}; clock skew allowed: {clockSkew.TotalSeconds:0} s)";
        }
        catch (ArgumentException)
        {
            return string.Empty;
        }
    }

    /// <summary>"in 59 min", "3 h ago": a span as a person reads it.</summary>
    private static string Relative(TimeSpan span)
    {
        var size = span.Duration();
        var amount = size.TotalSeconds < 120 ? $"{size.TotalSeconds:0} s"
            : size.TotalMinutes < 120 ? $"{size.TotalMinutes:0} min"
            : size.TotalHours < 48 ? $"{size.TotalHours:0} h"
            : $"{size.TotalDays:0} d";
        return span >= TimeSpan.Zero ? "in " + amount : amount + " ago";
    }
}
