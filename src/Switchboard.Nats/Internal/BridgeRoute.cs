using Switchboard.Protocol;

namespace Switchboard.Nats.Internal;

/// <summary>
/// One configured bridge, checked and compiled: maps a NATS subject to its channel and a channel back to its subject.
/// </summary>
/// <remarks>
/// The channel template's segments are literals or <c>{N}</c> (subject token N, from 0). Going back from a channel to
/// a subject needs every wildcard token of the subject in the template; the validator refuses a bridge that carries
/// channels to NATS without that. Thread safety: immutable.
/// </remarks>
internal sealed class BridgeRoute
{
    private readonly string[] _subjectTokens;
    private readonly TemplateSegment[]? _template; // null: the channel is the subject itself

    private BridgeRoute(NatsBridgeOptions options, string[] subjectTokens, TemplateSegment[]? template, BridgeDirection direction, PayloadMapping payload, string? consumer)
    {
        Subject = options.Subject!;
        _subjectTokens = subjectTokens;
        _template = template;
        Direction = direction;
        Payload = payload;
        Stream = string.IsNullOrEmpty(options.Stream) ? null : options.Stream;
        Consumer = consumer;
        AckWait = options.AckWait;
        ChannelPattern = ChannelPattern.Parse(template is null ? Subject : string.Join('.', template.Select(static s => s.Literal ?? "*")));
    }

    /// <summary>The NATS subject pattern.</summary>
    public string Subject { get; }

    /// <summary>The channels this bridge covers, as a Switchboard pattern.</summary>
    public ChannelPattern ChannelPattern { get; }

    public BridgeDirection Direction { get; }

    public PayloadMapping Payload { get; }

    /// <summary>The JetStream stream, or <see langword="null"/> for a plain (at most once) subscription.</summary>
    public string? Stream { get; }

    /// <summary>The durable consumer name (JetStream only).</summary>
    public string? Consumer { get; }

    public TimeSpan AckWait { get; }

    /// <summary>Checks a bridge's options; returns the route, or the problems (each naming the setting).</summary>
    public static BridgeRoute? TryCreate(NatsBridgeOptions options, string setting, string queueGroup, List<string> errors)
    {
        var before = errors.Count;
        string[] tokens = [];
        if (string.IsNullOrWhiteSpace(options.Subject))
        {
            errors.Add($"{setting}:Subject is required (a NATS subject such as order.* or sensors.>).");
        }
        else if (SubjectError(options.Subject) is { } subjectError)
        {
            errors.Add($"{setting}:Subject '{options.Subject}' is not a valid NATS subject: {subjectError}.");
        }
        else
        {
            tokens = options.Subject.Split('.');
        }

        var direction = ParseDirection(options.Direction, setting, errors);
        var payload = ParsePayload(options.Payload, setting, errors);
        TemplateSegment[]? template = null;
        if (!string.IsNullOrWhiteSpace(options.Channel) && tokens.Length > 0)
        {
            template = ParseTemplate(options.Channel, tokens, setting, errors);
            if (template is not null && direction.HasFlag(BridgeDirection.ChannelsToNats))
            {
                for (var i = 0; i < tokens.Length; i++)
                {
                    if (tokens[i] == ">")
                    {
                        errors.Add($"{setting}: a subject ending in '>' can carry channels to NATS only without a Channel template (the channel is then the subject).");
                    }
                    else if (tokens[i] == "*" && !template.Any(s => s.Token == i))
                    {
                        errors.Add($"{setting}:Channel '{options.Channel}' must contain {{{i}}} to carry channels back to NATS (the subject's wildcard at token {i}).");
                    }
                }
            }
        }
        else if (tokens.Length > 0 && ChannelName.Validate(options.Subject, allowWildcards: true) is { } channelError)
        {
            errors.Add($"{setting}: without a Channel template the subject is the channel, but '{options.Subject}' is not a valid channel: {channelError}.");
        }

        string? consumer = null;
        if (!string.IsNullOrEmpty(options.Stream))
        {
            if (!IsJetStreamName(options.Stream))
            {
                errors.Add($"{setting}:Stream '{options.Stream}' is not a valid stream name (letters, digits, '-' and '_').");
            }

            consumer = string.IsNullOrEmpty(options.Consumer) ? DefaultConsumer(queueGroup, options) : options.Consumer;
            if (!IsJetStreamName(consumer))
            {
                errors.Add($"{setting}:Consumer '{consumer}' is not a valid consumer name (letters, digits, '-' and '_').");
            }

            if (options.AckWait < TimeSpan.FromSeconds(1))
            {
                errors.Add($"{setting}:AckWait must be at least 1 second.");
            }

            if (!direction.HasFlag(BridgeDirection.NatsToChannels))
            {
                errors.Add($"{setting}:Stream only applies to taking messages in from NATS; the direction is channels-to-nats.");
            }
        }

        return errors.Count == before ? new BridgeRoute(options, tokens, template, direction, payload, consumer) : null;
    }

    /// <summary>The channel of a subject this bridge receives (it matches <see cref="Subject"/>); <see langword="null"/> if it is not a valid channel.</summary>
    public string? ChannelFor(string subject)
    {
        string channel;
        if (_template is null)
        {
            channel = subject;
        }
        else
        {
            var tokens = subject.Split('.');
            channel = string.Join('.', _template.Select(s => s.Literal ?? tokens[s.Token]));
        }

        return ChannelName.IsValid(channel) ? channel : null;
    }

    /// <summary>The subject of a channel, or <see langword="null"/> when the channel is not this bridge's.</summary>
    public string? SubjectFor(string channel)
    {
        if (!ChannelPattern.Matches(channel))
        {
            return null;
        }

        if (_template is null)
        {
            return channel;
        }

        var parts = channel.Split('.');
        var subject = (string[])_subjectTokens.Clone();
        for (var i = 0; i < _template.Length; i++)
        {
            if (_template[i].Literal is not null)
            {
                continue;
            }

            var token = _template[i].Token;
            var expected = _subjectTokens[token] == "*" ? null : _subjectTokens[token];
            if ((expected is not null && parts[i] != expected) || (subject[token] != "*" && subject[token] != parts[i] && expected is null))
            {
                return null; // {N} twice with different values, or a literal token that does not match
            }

            subject[token] = parts[i];
        }

        return string.Join('.', subject);
    }

    private static TemplateSegment[]? ParseTemplate(string template, string[] tokens, string setting, List<string> errors)
    {
        var segments = new List<TemplateSegment>();
        foreach (var part in template.Split('.'))
        {
            if (part.StartsWith('{') && part.EndsWith('}'))
            {
                if (!int.TryParse(part.AsSpan(1, part.Length - 2), out var index) || index < 0 || index >= tokens.Length || tokens[index] == ">")
                {
                    errors.Add($"{setting}:Channel '{template}': {part} must be {{N}} with N a token of the subject '{string.Join('.', tokens)}' counted from 0 (not its '>').");
                    return null;
                }

                segments.Add(new TemplateSegment(null, index));
            }
            else if (part.Contains('{') || part.Contains('}') || !ChannelName.IsValid(part))
            {
                errors.Add($"{setting}:Channel '{template}': the segment '{part}' must be a channel name segment or a whole {{N}}.");
                return null;
            }
            else
            {
                segments.Add(new TemplateSegment(part, -1));
            }
        }

        return [.. segments];
    }

    private static BridgeDirection ParseDirection(string? value, string setting, List<string> errors)
    {
        switch (Normalize(value))
        {
            case "" or "natstochannels":
                return BridgeDirection.NatsToChannels;
            case "channelstonats":
                return BridgeDirection.ChannelsToNats;
            case "both":
                return BridgeDirection.Both;
            default:
                errors.Add($"{setting}:Direction '{value}' is not one of nats-to-channels, channels-to-nats, both.");
                return BridgeDirection.NatsToChannels;
        }
    }

    private static PayloadMapping ParsePayload(string? value, string setting, List<string> errors)
    {
        switch (Normalize(value))
        {
            case "" or "json":
                return PayloadMapping.Json;
            case "wrapped":
                return PayloadMapping.Wrapped;
            default:
                errors.Add($"{setting}:Payload '{value}' is not one of json, wrapped.");
                return PayloadMapping.Json;
        }
    }

    private static string Normalize(string? value) =>
        (value ?? string.Empty).Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).Trim().ToLowerInvariant();

    /// <summary>NATS subjects: dot-separated non-empty tokens without whitespace; '*' and '>' only as whole tokens, '>' last.</summary>
    private static string? SubjectError(string subject)
    {
        var tokens = subject.Split('.');
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token.Length == 0)
            {
                return "it has an empty token";
            }

            if (token.Any(char.IsWhiteSpace))
            {
                return "it contains whitespace";
            }

            if ((token.Contains('*') || token.Contains('>')) && token.Length != 1)
            {
                return "a wildcard must be a whole token";
            }

            if (token == ">" && i != tokens.Length - 1)
            {
                return "'>' must be the last token";
            }
        }

        return null;
    }

    private static bool IsJetStreamName(string name) =>
        name.Length is > 0 and <= 200 && name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string DefaultConsumer(string queueGroup, NatsBridgeOptions options)
    {
        var subject = options.Subject!.Replace(".", "_", StringComparison.Ordinal).Replace("*", "any", StringComparison.Ordinal).Replace(">", "all", StringComparison.Ordinal);
        return $"{queueGroup}_{options.Stream}_{subject}";
    }

    /// <summary>A template segment: a literal, or the subject token it copies.</summary>
    private readonly record struct TemplateSegment(string? Literal, int Token);
}
