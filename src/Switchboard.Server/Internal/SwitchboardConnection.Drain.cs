namespace Switchboard.Server.Internal;

/// <summary>Closing without cutting a command short, for drain.</summary>
internal sealed partial class SwitchboardConnection
{
    // Commands executing: the one the receive loop runs, plus the publishes still in flight (see PublishPipeline).
    private int _executing;
    private int _closeWhenIdle;
    private int _idleCloseCode;
    private string _idleCloseReason = string.Empty;

    /// <summary>
    /// Closes with <paramref name="code"/> once no command is executing: a command being executed (publishes in flight
    /// included) gets its cancellation token cancelled, finishes, and its reply is sent before the close frame. A command received after this call is not executed, so that a client
    /// either gets its reply or knows (by the close) that it may retry.
    /// </summary>
    public void CloseWhenIdle(int code, string reason)
    {
        _idleCloseCode = code;
        _idleCloseReason = reason;

        // Two full fences (here and in BeginCommand) guarantee that either this call sees the command running, or
        // the receive loop sees the request before it starts the command: never both missed.
        Interlocked.Exchange(ref _closeWhenIdle, 1);

        // A command still running (a long rpc) is told to stop, so that the drain does not wait for it.
        CancelCommands();
        if (Interlocked.CompareExchange(ref _executing, 0, 0) == 0)
        {
            Close(code, reason, discardQueued: false);
        }
    }

    /// <summary>Aborts the socket at once, without a close handshake (end of the drain time).</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Called by the receive loop before executing a command; <see langword="false"/> means close instead.</summary>
    private bool BeginCommand()
    {
        Interlocked.Increment(ref _executing);
        if (Volatile.Read(ref _closeWhenIdle) == 0)
        {
            return true;
        }

        EndCommand();
        return false;
    }

    /// <summary>Called after a command (by the receive loop, or as a pipelined publish completes); closes when a close
    /// was asked for meanwhile and nothing else is executing.</summary>
    private void EndCommand()
    {
        if (Interlocked.Decrement(ref _executing) == 0 && Volatile.Read(ref _closeWhenIdle) != 0)
        {
            Close(_idleCloseCode, _idleCloseReason, discardQueued: false);
        }
    }
}
