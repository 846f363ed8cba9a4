using System.Diagnostics;

namespace Switchboard.Server.Diagnostics;

/// <summary>
/// Switchboard's tracing spans on the activity source <c>Switchboard</c> (<see cref="SourceName"/>): one per
/// connection (<c>switchboard.connect</c>, admission to welcome) and per command (<c>switchboard.subscribe</c>,
/// <c>switchboard.publish</c>, <c>switchboard.rpc</c>), with OpenTelemetry's messaging attributes:
/// <c>messaging.system</c> = <c>switchboard</c> (<see cref="MessagingSystem"/>), and on commands
/// <c>messaging.operation.name</c> (the command) and <c>messaging.operation.type</c> (<c>send</c> for a publish,
/// <c>receive</c> for a subscribe, which may deliver missed publications; none for rpc, which is no message
/// operation). They cost nothing unless a listener such as OpenTelemetry's <c>AddSource("Switchboard")</c> samples them.
/// </summary>
public static class SwitchboardActivities
{
    /// <summary>The activity source's name.</summary>
    public const string SourceName = "Switchboard";

    /// <summary>The value of <c>messaging.system</c> on Switchboard's spans.</summary>
    public const string MessagingSystem = "switchboard";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts a span for a connection's admission, or returns <see langword="null"/> when nobody listens.</summary>
    internal static Activity? StartConnect(System.Net.IPAddress? remoteAddress)
    {
        // Checked first so that nothing (the address's string here, the span's name below) is made for nobody.
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("switchboard.connect", ActivityKind.Server);
        activity?.SetTag("messaging.system", MessagingSystem);
        activity?.SetTag("network.peer.address", remoteAddress?.ToString());
        return activity;
    }

    /// <summary>Starts a span for a command on <paramref name="channel"/> (subscribe, publish, rpc), or <see langword="null"/> when nobody listens.</summary>
    internal static Activity? StartCommand(string command, string? channel)
    {
        var activity = Start("switchboard.", command, ActivityKind.Server, "switchboard.command", "messaging.destination.name", channel);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", MessagingSystem);
            activity.SetTag("messaging.operation.name", command);
            if (OperationType(command) is { } type)
            {
                activity.SetTag("messaging.operation.type", type);
            }
        }

        return activity;
    }

    /// <summary>OpenTelemetry's messaging operation type of a command, or <see langword="null"/> for one that moves no message.</summary>
    private static string? OperationType(string command) => command switch
    {
        "publish" => "send",
        "subscribe" => "receive",
        _ => null,
    };

    /// <summary>Starts a client span for a call to the application's backend (<c>switchboard.proxy.subscribe</c>, ...), or <see langword="null"/> when nobody listens.</summary>
    internal static Activity? StartProxyCall(string kind, string? target) =>
        Start("switchboard.proxy.", kind, ActivityKind.Client, "switchboard.proxy.kind", "switchboard.proxy.target", target);

    /// <summary>A span named <paramref name="prefix"/> + <paramref name="name"/>, tagged with the name and (when given) the target.</summary>
    private static Activity? Start(string prefix, string name, ActivityKind kind, string nameTag, string targetTag, string? target)
    {
        // Checked first so that the span's name is not even built for nobody.
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(prefix + name, kind);
        if (activity is not null)
        {
            activity.SetTag(nameTag, name);
            if (target is not null)
            {
                activity.SetTag(targetTag, target);
            }
        }

        return activity;
    }

    /// <summary>Marks a span failed with the error code the client got.</summary>
    internal static void Fail(Activity? activity, string errorCode)
    {
        if (activity is not null)
        {
            activity.SetTag("error.type", errorCode);
            activity.SetStatus(ActivityStatusCode.Error, errorCode);
        }
    }
}
