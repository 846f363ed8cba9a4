using Microsoft.Extensions.Options;
using Switchboard.Protocol;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>Checks <see cref="SwitchboardProxyOptions"/> at start, naming the setting and what it must be.</summary>
internal sealed class SwitchboardProxyOptionsValidator : IValidateOptions<SwitchboardProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, SwitchboardProxyOptions options)
    {
        var failures = new List<string>();
        CheckUrl(failures, "Connect", options.Connect);
        CheckUrl(failures, "Refresh", options.Refresh);
        CheckUrl(failures, "Subscribe", options.Subscribe);
        CheckUrl(failures, "Publish", options.Publish);
        CheckUrl(failures, "Rpc", options.Rpc);
        CheckChannels(failures, "Subscribe", options.Subscribe);
        CheckChannels(failures, "Publish", options.Publish);
        Require(failures, options.Timeout > TimeSpan.Zero, "Switchboard:Proxy:Timeout must be positive.");
        Require(failures, options.MaxConcurrentCalls > 0, "Switchboard:Proxy:MaxConcurrentCalls must be positive.");
        Require(failures, options.MaxQueuedCalls >= 0, "Switchboard:Proxy:MaxQueuedCalls must not be negative.");
        Require(failures, options.MaxResponseSize > 0, "Switchboard:Proxy:MaxResponseSize must be positive.");
        Require(failures, options.BreakDuration >= TimeSpan.FromMilliseconds(500), "Switchboard:Proxy:BreakDuration must be at least 500 ms.");
        foreach (var header in options.Headers)
        {
            Require(failures, !string.IsNullOrWhiteSpace(header) && header.All(static c => c > ' ' && c < 127 && c != ':'), $"Switchboard:Proxy:Headers: '{header}' is not a header name.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckUrl(List<string> failures, string kind, ProxyEndpointOptions endpoint)
    {
        if (endpoint.IsEnabled
            && !(Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"Switchboard:Proxy:{kind}:Url must be an absolute http or https URL (got '{endpoint.Url}').");
        }
    }

    private static void CheckChannels(List<string> failures, string kind, ProxyChannelEndpointOptions endpoint)
    {
        foreach (var channel in endpoint.Channels)
        {
            if (!ChannelPattern.TryParse(channel, out _, out var error))
            {
                failures.Add($"Switchboard:Proxy:{kind}:Channels: '{channel}' is not a channel pattern ({error}).");
            }
        }
    }

    private static void Require(List<string> failures, bool condition, string message)
    {
        if (!condition)
        {
            failures.Add(message);
        }
    }
}
