namespace Switchboard.Server;

/// <summary>
/// A publication (or a server send) whose data is larger than a subscriber can ever receive
/// (<see cref="SwitchboardOptions.MaxPublicationSize"/>): it was refused before anything was stored or sent. Delivered,
/// it would overflow every subscriber's outgoing queue and close them all with 4003. The HTTP API answers 413 with
/// <c>too_large</c>, a client's <c>publish</c> gets the <c>too_large</c> error.
/// </summary>
public sealed class PublicationTooLargeException : ArgumentException
{
    /// <summary>Creates the exception for data of <paramref name="size"/> bytes over <paramref name="limit"/>.</summary>
    public PublicationTooLargeException(int size, int limit)
        : base($"data is {size} bytes, more than the {limit} a subscriber can receive", "data")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public PublicationTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public PublicationTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message of its own.</summary>
    public PublicationTooLargeException()
    {
    }

    /// <summary>The data's size in bytes.</summary>
    public int Size { get; }

    /// <summary>The most a publication's data may have, in bytes.</summary>
    public int Limit { get; }
}
