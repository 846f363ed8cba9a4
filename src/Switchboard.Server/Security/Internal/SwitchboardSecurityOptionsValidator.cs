using Microsoft.Extensions.Options;

namespace Switchboard.Server.Security.Internal;

/// <summary>Checks <see cref="SwitchboardSecurityOptions"/> at start, naming the setting and what it must be.</summary>
internal sealed class SwitchboardSecurityOptionsValidator : IValidateOptions<SwitchboardSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SwitchboardSecurityOptions options)
    {
        var failures = new List<string>();
        var auth = options.Auth;
        if (auth.HasKey)
        {
            try
            {
                SigningKeys.Load(auth);
            }
            catch (InvalidOperationException ex)
            {
                failures.Add(ex.Message);
            }
        }

        failures.AddRange(ProviderKeys.Validate(auth));
        Require(auth.ClockSkew >= TimeSpan.Zero, "Switchboard:Auth:ClockSkew must not be negative.");
        Require(auth.AuthTimeout > TimeSpan.Zero, "Switchboard:Auth:AuthTimeout must be positive.");
        Require(auth.TokenExpiringAhead >= TimeSpan.Zero, "Switchboard:Auth:TokenExpiringAhead must not be negative.");
        Require(auth.MaxTokenLength is >= 256 and <= 1024 * 1024, "Switchboard:Auth:MaxTokenLength must be between 256 and 1048576.");
        Require(options.Limits.AbuseWindow > TimeSpan.Zero, "Switchboard:Limits:AbuseWindow must be positive.");
        Require(options.Limits.CommandBurst is null or >= 0, "Switchboard:Limits:CommandBurst must not be negative.");
        failures.AddRange(RuleChannelAuthorizer.Validate(options.Channels));
        foreach (var origin in options.AllowedOrigins)
        {
            Require(origin == "*" || Uri.TryCreate(origin, UriKind.Absolute, out _), $"Switchboard:AllowedOrigins: '{origin}' is not an origin such as https://app.example.com.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Require(bool condition, string message)
        {
            if (!condition)
            {
                failures.Add(message);
            }
        }
    }
}
