namespace Switchboard.Client.Internal;

/// <summary>Where encoded commands go: the current connection's send queue.</summary>
internal interface IFrameSink
{
    /// <summary>Queues a frame; returns <see langword="false"/> when the connection is closing and it was not queued.</summary>
    bool Send(ReadOnlyMemory<byte> frame);

    /// <summary>The most commands to keep sent and unanswered at once on this connection (see <see cref="SendPacer.WindowFor"/>).</summary>
    int CommandWindow => int.MaxValue;
}
