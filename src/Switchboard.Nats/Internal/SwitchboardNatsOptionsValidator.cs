using Microsoft.Extensions.Options;

namespace Switchboard.Nats.Internal;

/// <summary>Checks <see cref="SwitchboardNatsOptions"/> at start, with messages that say which setting to fix.</summary>
internal sealed class SwitchboardNatsOptionsValidator : IValidateOptions<SwitchboardNatsOptions>
{
    public ValidateOptionsResult Validate(string? name, SwitchboardNatsOptions options)
    {
        var errors = new List<string>();
        Compile(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Checks the options and compiles the bridges; <paramref name="errors"/> gets every problem.</summary>
    public static IReadOnlyList<BridgeRoute> Compile(SwitchboardNatsOptions options, List<string> errors)
    {
        const string Section = SwitchboardNatsOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.Url))
        {
            errors.Add($"{Section}:Url is required (e.g. nats://127.0.0.1:4222).");
        }
        else if (options.Url.Split(',').Any(static u => !Uri.TryCreate(u.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls" or "ws" or "wss")))
        {
            errors.Add($"{Section}:Url '{Redact(options.Url)}' must be nats://host:port (or tls://, ws://, wss://), several separated by commas.");
        }

        if (string.IsNullOrWhiteSpace(options.QueueGroup) || options.QueueGroup.Any(static c => char.IsWhiteSpace(c) || c is '.' or '*' or '>'))
        {
            errors.Add($"{Section}:QueueGroup must be a name without whitespace, '.', '*' or '>'.");
        }

        if (options.OutgoingQueueLimit < 1)
        {
            errors.Add($"{Section}:OutgoingQueueLimit must be at least 1.");
        }

        if (options.Bridges.Count == 0)
        {
            errors.Add($"{Section}:Bridges needs at least one bridge (e.g. {Section}:Bridges:0:Subject=order.*).");
        }

        var routes = new List<BridgeRoute>();
        for (var i = 0; i < options.Bridges.Count; i++)
        {
            if (BridgeRoute.TryCreate(options.Bridges[i], $"{Section}:Bridges:{i}", options.QueueGroup, errors) is { } route)
            {
                routes.Add(route);
            }
        }

        foreach (var duplicate in routes.Where(static r => r.Consumer is not null).GroupBy(static r => (r.Stream, r.Consumer)).Where(static g => g.Count() > 1))
        {
            errors.Add($"{Section}:Bridges: two bridges use the consumer '{duplicate.Key.Consumer}' of stream '{duplicate.Key.Stream}'; give each its own Consumer.");
        }

        return routes;
    }

    /// <summary>A URL for an error message, without the password it may carry.</summary>
    public static string Redact(string url) =>
        System.Text.RegularExpressions.Regex.Replace(url, "//[^/@]*@", "//***@");
}
