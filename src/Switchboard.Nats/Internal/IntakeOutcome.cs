namespace Switchboard.Nats.Internal;

/// <summary>What became of one NATS message taken in.</summary>
internal enum IntakeOutcome
{
    /// <summary>It is a new publication.</summary>
    Published,

    /// <summary>Its idempotency key was used already: the first publication stands, nothing new.</summary>
    Duplicate,

    /// <summary>It came from this cluster's own forwarding and is not taken in again (no loop).</summary>
    OwnEcho,

    /// <summary>It cannot become a publication (not JSON, or its subject is not a valid channel); retrying will not help.</summary>
    Rejected,

    /// <summary>Publishing failed for now (broker unavailable); a retry may succeed.</summary>
    Failed,
}
