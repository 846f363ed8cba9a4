namespace Switchboard.Nats.Internal;

/// <summary>Which way a bridge carries messages.</summary>
[Flags]
internal enum BridgeDirection
{
    NatsToChannels = 1,
    ChannelsToNats = 2,
    Both = NatsToChannels | ChannelsToNats,
}

/// <summary>How payloads are mapped.</summary>
internal enum PayloadMapping
{
    /// <summary>The payload is the data, as is (JSON).</summary>
    Json,

    /// <summary>The data is wrapped with where it came from.</summary>
    Wrapped,
}
