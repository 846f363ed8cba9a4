using System.Diagnostics;
using Switchboard.Brokers;
using Switchboard.Protocol;
using Switchboard.Server.Security;

namespace Switchboard.Server.Internal;

/// <summary>Publishes that do not hold up the connection's next command (see <see cref="SwitchboardConnection.PublishesReplied"/>).</summary>
internal sealed partial class CommandDispatcher
{
    /// <summary>
    /// Executes a publish. An allowed one is handed to the broker and not waited for: its reply follows the replies of
    /// the connection's earlier publishes (<see cref="FinishPublishAsync"/>). A refused one is answered after them, in
    /// order. Waits only when the connection already has as many publishes in flight as it may.
    /// </summary>
    private async ValueTask PublishAsync(SwitchboardConnection connection, Command command, long started)
    {
        if (!connection.CanPipelinePublish)
        {
            await connection.PublishesReplied.ConfigureAwait(false); // As many in flight as allowed: let them land.
        }

        var channel = command.Channel!;
        var span = Diagnostics.SwitchboardActivities.StartCommand(Command.TypeName(CommandType.Publish), channel.Value);
        if (Denial(connection, ChannelAction.Publish, channel) is { } denial)
        {
            await connection.PublishesReplied.ConfigureAwait(false);
            SendError(connection, command.Id, Command.TypeName(command.Type), denial);
            Diagnostics.SwitchboardActivities.Fail(span, denial.Code);
            span?.Dispose();
            connection.Metrics?.CommandCompleted(Command.TypeName(command.Type), denial.Code, started);
            return;
        }

        var cancellationToken = connection.CommandsCancelled;
        connection.PublishStarted();
        ValueTask<PublishResult> pending;
        try
        {
            pending = _proxy.Options.Publish.AppliesTo(channel.Value)
                ? ProxyPublishAsync(connection, command, connection.PublishesReplied, cancellationToken)
                : _node.PublishAsync(PublishRequestOf(connection, command, command.Data), cancellationToken);
        }
#pragma warning disable CA1031 // Whatever the broker throws becomes the command's error reply, in order.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            pending = ValueTask.FromException<PublishResult>(ex);
        }

        // The previous tail is read before this publish becomes the tail: that is what orders the replies.
        connection.PublishPipelined(FinishPublishAsync(connection, command, pending, connection.PublishesReplied, started, span, cancellationToken));
    }

    private PublishRequest PublishRequestOf(SwitchboardConnection connection, Command command, ReadOnlyMemory<byte> data)
    {
        var channel = command.Channel!.Value;
        return new PublishRequest(channel, data, connection.Publisher, IdempotencyScope.OfClient(connection.Publisher, command.Key), _node.HistoryFor(channel), Options.IdempotencyWindow);
    }

    /// <summary>Waits for the broker's result, then for the earlier publishes' replies, then replies. Never throws.</summary>
    private async Task FinishPublishAsync(SwitchboardConnection connection, Command command, ValueTask<PublishResult> pending, Task earlier, long started, Activity? span, CancellationToken cancellationToken)
    {
        PublishResult result = default;
        ProtocolError? error = null;
        var disconnected = false;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Mapped to the documented error, as the ordinary path does.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            disconnected = ex is ProxyRefusalException { Disconnected: true };
            error = ErrorOf(connection, command, ex, cancellationToken);
        }

        try
        {
            await earlier.ConfigureAwait(false); // Never faults: it is this method too.
            if (error is null)
            {
                if (!result.Duplicate)
                {
                    connection.Metrics?.Published();
                }

                Reply(connection, command, result.Position.Offset, ReplyWriter.WritePublish);
            }
            else if (!disconnected) // The backend closed the connection instead: no reply.
            {
                // Not through Fail: connection.CommandError belongs to the command the receive loop runs now.
                SendError(connection, command.Id, Command.TypeName(command.Type), error);
                Diagnostics.SwitchboardActivities.Fail(span, error.Code);
            }

            connection.Metrics?.CommandCompleted(Command.TypeName(command.Type), error?.Code, started);
        }
        finally
        {
            span?.Dispose();
            connection.PublishFinished();
        }
    }
}
