using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// The intake check every publication and server send passes before anything is stored or queued: the data is within
/// <see cref="SwitchboardOptions.MaxPublicationSize"/> and, unless the caller parsed it already (a client command),
/// one JSON value in valid UTF-8 (<see cref="PublicationData"/>). Refusals throw and are counted on
/// <c>switchboard.publication.refused</c> by <c>error.type</c> (<c>too_large</c>, <c>invalid_json</c>).
/// </summary>
/// <remarks>Thread safety: immutable apart from the counter; safe from many threads.</remarks>
internal sealed class PublicationGate(int maxSize, Diagnostics.SwitchboardMetrics? metrics)
{
    /// <summary>The largest data admitted, in bytes.</summary>
    public int MaxSize { get; } = maxSize;

    /// <summary>Throws <see cref="PublicationTooLargeException"/> when data of <paramref name="length"/> bytes cannot be delivered.</summary>
    public void RequireDeliverable(int length)
    {
        if (length > MaxSize)
        {
            metrics?.PublicationRefused(ErrorCodes.TooLarge);
            throw new PublicationTooLargeException(length, MaxSize);
        }
    }

    /// <summary>
    /// Checks data from outside the protocol parser (application code, the HTTP API, bridges, handler sends):
    /// <see cref="PublicationTooLargeException"/> when too large, <see cref="ArgumentException"/> when it is not one
    /// JSON value in valid UTF-8.
    /// </summary>
    public void RequireValid(ReadOnlySpan<byte> data)
    {
        RequireDeliverable(data.Length);
        if (PublicationData.Validate(data, MaxSize) is { } error)
        {
            metrics?.PublicationRefused("invalid_json");
            throw new ArgumentException(error.Message, nameof(data));
        }
    }
}
