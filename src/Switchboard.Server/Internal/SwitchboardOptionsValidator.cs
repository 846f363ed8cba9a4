using Microsoft.Extensions.Options;

namespace Switchboard.Server.Internal;

/// <summary>Checks <see cref="SwitchboardOptions"/> at start, naming the setting and what it must be.</summary>
internal sealed class SwitchboardOptionsValidator : IValidateOptions<SwitchboardOptions>
{
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        var failures = new List<string>();
        Require(options.MaxMessageSize is >= 256 and <= 16 * 1024 * 1024, "Switchboard:MaxMessageSize must be between 256 and 16777216 bytes.");
        Require(options.OutgoingQueueLimit >= options.MaxMessageSize, "Switchboard:OutgoingQueueLimit must be at least Switchboard:MaxMessageSize.");
        Require(options.OutgoingQueueLimit >= 4 * SwitchboardOptions.MessageEnvelopeAllowance, "Switchboard:OutgoingQueueLimit must be at least 4096 bytes (a publication may carry up to half of it, less 1 KiB).");
        Require(options.MaxBatchSize >= 1024, "Switchboard:MaxBatchSize must be at least 1024 bytes.");
        Require(options.PingInterval >= TimeSpan.FromMilliseconds(100), "Switchboard:PingInterval must be at least 00:00:00.1.");
        Require(options.PongTimeout >= TimeSpan.FromMilliseconds(100), "Switchboard:PongTimeout must be at least 00:00:00.1.");
        Require(options.CloseTimeout > TimeSpan.Zero, "Switchboard:CloseTimeout must be positive.");
        Require(options.DrainTimeout >= TimeSpan.Zero, "Switchboard:DrainTimeout must not be negative.");
        Require(options.MaxSubscriptionsPerConnection > 0, "Switchboard:MaxSubscriptionsPerConnection must be positive.");
        Require(options.HistorySize >= 0, "Switchboard:HistorySize must not be negative.");
        Require(options.HistoryTtl >= TimeSpan.Zero, "Switchboard:HistoryTtl must not be negative.");
        Require(options.IdempotencyWindow >= TimeSpan.Zero, "Switchboard:IdempotencyWindow must not be negative.");
        Require(!string.IsNullOrWhiteSpace(options.NodeId), "Switchboard:NodeId must not be empty.");
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
