using Microsoft.Extensions.Options;

namespace Switchboard.Redis.Internal;

/// <summary>Checks <see cref="SwitchboardRedisOptions"/> at start, with messages that say which setting to fix.</summary>
internal sealed class SwitchboardRedisOptionsValidator : IValidateOptions<SwitchboardRedisOptions>
{
    public ValidateOptionsResult Validate(string? name, SwitchboardRedisOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Configuration) && options.ConfigurationOptions is null)
        {
            failures.Add("Switchboard:Redis:Configuration is required (e.g. 127.0.0.1:6379).");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            failures.Add("Switchboard:Redis:KeyPrefix must not be empty.");
        }

        if (options.PresenceNodeTtl < TimeSpan.FromSeconds(1))
        {
            failures.Add("Switchboard:Redis:PresenceNodeTtl must be at least 1 second.");
        }

        if (options.BatchInterval < TimeSpan.Zero || options.BatchInterval > TimeSpan.FromSeconds(1))
        {
            failures.Add("Switchboard:Redis:BatchInterval must be between 0 and 1 second.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
