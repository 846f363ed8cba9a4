namespace Switchboard.Client.Internal;

/// <summary>What the <see cref="ConnectionLoop"/> tells the client about its connections.</summary>
internal interface IConnectionEvents
{
    /// <summary>Every server message of <paramref name="connection"/>, one at a time, in order, on its receive loop.</summary>
    ValueTask OnMessageAsync(ClientConnection connection, ReadOnlyMemory<byte> frame);

    /// <summary>A connection got <c>welcome</c> and is now current.</summary>
    void OnConnected(ClientConnection connection);

    /// <summary>The current connection ended.</summary>
    void OnConnectionLost(DisconnectInfo disconnect);

    /// <summary>The loop stopped for good (disconnect, a close it does not reconnect from, attempts ran out).</summary>
    void OnStopped(DisconnectInfo? disconnect);
}
