namespace Switchboard.Server.Health;

/// <summary>The health check tags Switchboard uses: checks tagged <see cref="Ready"/> decide <c>/health/ready</c>.</summary>
public static class SwitchboardHealthChecks
{
    /// <summary>
    /// The tag of readiness checks: the node drains, or a dependency it needs to serve (the broker) is unreachable.
    /// Tag your own checks with it to make them count for <c>/health/ready</c>.
    /// </summary>
    public const string Ready = "ready";

    /// <summary>The tag of liveness checks. Switchboard adds none: a process that answers HTTP is alive.</summary>
    public const string Live = "live";
}
