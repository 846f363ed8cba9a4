namespace Switchboard.Brokers;

/// <summary>Thrown by a broker that cannot reach its backing store; clients get the <c>unavailable</c> error code.</summary>
public sealed class BrokerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
