namespace Switchboard.Client;

/// <summary>The base of the exceptions a <see cref="SwitchboardClient"/> throws.</summary>
public class SwitchboardException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SwitchboardException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}

/// <summary>The server answered a command with an error (<c>"success": false</c>).</summary>
public sealed class SwitchboardCommandException : SwitchboardException
{
    /// <summary>Creates the exception.</summary>
    public SwitchboardCommandException(string code, string message) : base($"{code}: {message}")
    {
        Code = code;
        ServerMessage = message;
    }

    /// <summary>The protocol error code, one of <see cref="Switchboard.Protocol.ErrorCodes"/>.</summary>
    public string Code { get; }

    /// <summary>The server's message.</summary>
    public string ServerMessage { get; }
}

/// <summary>A command could not be buffered while disconnected, or was dropped from the full buffer, per
/// <see cref="SwitchboardClientOptions.OfflineBufferOverflow"/>.</summary>
public sealed class SwitchboardBufferFullException : SwitchboardException
{
    /// <summary>Creates the exception.</summary>
    public SwitchboardBufferFullException(string message) : base(message)
    {
    }
}

/// <summary>
/// A command cannot complete because of the connection: the client was disconnected for good (a close it does not
/// reconnect from, <see cref="SwitchboardClient.DisconnectAsync"/>, or its attempts ran out), or an <c>rpc</c> was
/// already sent when the connection dropped (it is not sent again: it may have run).
/// </summary>
public sealed class SwitchboardConnectionException : SwitchboardException
{
    /// <summary>Creates the exception.</summary>
    public SwitchboardConnectionException(string message, DisconnectInfo? disconnect = null, Exception? innerException = null) : base(message, innerException)
    {
        Disconnect = disconnect;
    }

    /// <summary>Why the connection ended, when known.</summary>
    public DisconnectInfo? Disconnect { get; }
}
