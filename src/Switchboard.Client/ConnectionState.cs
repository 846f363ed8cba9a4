namespace Switchboard.Client;

/// <summary>The state of a <see cref="SwitchboardClient"/>'s connection.</summary>
public enum ConnectionState
{
    /// <summary>Not connected and not trying: before <see cref="SwitchboardClient.ConnectAsync"/>, after
    /// <see cref="SwitchboardClient.DisconnectAsync"/>, or after a close the client does not reconnect from.</summary>
    Disconnected,

    /// <summary>The first connection is being made.</summary>
    Connecting,

    /// <summary>Connected: the server has sent <c>welcome</c>.</summary>
    Connected,

    /// <summary>The connection was lost; the client is waiting out its backoff or trying again.</summary>
    Reconnecting,
}

/// <summary>Why the last connection ended.</summary>
/// <param name="CloseCode">The WebSocket close code the server sent, or <see langword="null"/> when the connection
/// failed without one (network error, heartbeat timeout, refused connection).</param>
/// <param name="Reason">The server's close reason, or what went wrong.</param>
/// <param name="WillReconnect">Whether the client reconnects by itself, per the protocol's close-code table.</param>
public sealed record DisconnectInfo(int? CloseCode, string? Reason, bool WillReconnect);

/// <summary>The arguments of <see cref="SwitchboardClient.StateChanged"/>.</summary>
public sealed class ConnectionStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public ConnectionStateChangedEventArgs(ConnectionState previous, ConnectionState current, DisconnectInfo? disconnect, TimeSpan? retryIn, int attempt)
    {
        Previous = previous;
        Current = current;
        Disconnect = disconnect;
        RetryIn = retryIn;
        Attempt = attempt;
    }

    /// <summary>The state before.</summary>
    public ConnectionState Previous { get; }

    /// <summary>The state now.</summary>
    public ConnectionState Current { get; }

    /// <summary>Why the last connection ended, when this change follows a disconnect.</summary>
    public DisconnectInfo? Disconnect { get; }

    /// <summary>For <see cref="ConnectionState.Reconnecting"/>: how long the client waits before its next attempt.</summary>
    public TimeSpan? RetryIn { get; }

    /// <summary>For <see cref="ConnectionState.Reconnecting"/>: how many attempts have failed since the last connection (0 for the first retry).</summary>
    public int Attempt { get; }
}
