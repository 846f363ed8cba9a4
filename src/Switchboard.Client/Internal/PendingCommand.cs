using Switchboard.Protocol;

namespace Switchboard.Client.Internal;

/// <summary>What happens to a command that was sent when its connection drops before the result arrives.</summary>
internal enum ResendPolicy
{
    /// <summary>Sent again on the next connection: safe because it is idempotent (a publish with its key, a read).</summary>
    Resend,

    /// <summary>Fails: it may have run (rpc).</summary>
    FailIfSent,

    /// <summary>Forgotten: it belongs to one connection (subscribe), and the client redoes it on the next.</summary>
    Forget,
}

/// <summary>A command waiting for its result: in the offline buffer, or sent and unanswered.</summary>
/// <remarks>Thread safety: <see cref="WaitingNode"/> and <see cref="Sent"/> are guarded by the <see cref="CommandTracker"/>'s lock.</remarks>
internal sealed class PendingCommand
{
    public PendingCommand(long id, string type, byte[] payload, ResendPolicy resend)
    {
        Id = id;
        Type = type;
        Payload = payload;
        Resend = resend;
    }

    public long Id { get; }

    public string Type { get; }

    /// <summary>The encoded command, id and idempotency key included: a resend is byte for byte the same command.</summary>
    public byte[] Payload { get; }

    public ResendPolicy Resend { get; }

    /// <summary>Completed with the raw JSON of the <c>result</c> body (read it with <see cref="ReplyReader"/>), or failed with the error.</summary>
    public TaskCompletionSource<ReadOnlyMemory<byte>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs on the receive loop when the reply arrives, before the next message is read, for commands whose
    /// result must be handled in order with the messages after it (subscribe). Gets the whole <c>result</c> message.</summary>
    public Func<ServerMessage, ValueTask>? OnResult { get; init; }

    /// <summary>Its place in the list it waits in, while it waits: the offline buffer, or the commands held for the send window.</summary>
    public LinkedListNode<PendingCommand>? WaitingNode { get; set; }

    /// <summary>Whether it has been handed to a connection.</summary>
    public bool Sent { get; set; }
}
