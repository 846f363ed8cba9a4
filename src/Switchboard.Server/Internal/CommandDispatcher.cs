using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Brokers;
using Switchboard.Protocol;
using Switchboard.Server.Handlers.Internal;
using Switchboard.Server.Rpc;
using Switchboard.Server.Security;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Internal;

/// <summary>
/// Executes one client message on its connection: parses it, checks it, runs the command and queues the reply.
/// Every failure becomes a documented error code here; exception details stay in the log.
/// </summary>
/// <remarks>Thread safety: stateless between calls; called by every connection's receive loop.</remarks>
internal sealed partial class CommandDispatcher
{
    private readonly SwitchboardNode _node;
    private readonly IChannelAuthorizer _authorizer;
    private readonly SecurityPolicy _security;
    private readonly ILogger<CommandDispatcher> _logger;
    private readonly AppSignIn _signIn;
    private readonly Switchboard.Server.Proxy.Internal.ProxyClient _proxy;

    public CommandDispatcher(SwitchboardNode node, IChannelAuthorizer authorizer, SecurityPolicy security, AppSignIn signIn, Switchboard.Server.Proxy.Internal.ProxyClient proxy, ILogger<CommandDispatcher> logger)
    {
        _proxy = proxy;
        _signIn = signIn;
        _node = node;
        _authorizer = authorizer;
        _security = security;
        _logger = logger;
    }

    private SwitchboardOptions Options => _node.Options;

    /// <summary>Executes one raw client message.</summary>
    public async ValueTask ExecuteAsync(SwitchboardConnection connection, ReadOnlyMemory<byte> message)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var parsed = CommandParser.Parse(message.Span);
        if (parsed.IsSuccess && parsed.Command.Type == CommandType.Publish)
        {
            await PublishAsync(connection, parsed.Command, started).ConfigureAwait(false);
            return;
        }

        // Everything else runs once the connection's publishes in flight have replied: one command after another.
        if (connection.PublishesReplied is { IsCompleted: false } publishes)
        {
            await publishes.ConfigureAwait(false);
        }

        if (!parsed.IsSuccess)
        {
            Fail(connection, parsed.Id, parsed.TypeName, parsed.Error);
            connection.Metrics?.CommandCompleted("invalid", parsed.Error.Code, started); // Not the client's type name: tags stay a small fixed set.
            return;
        }

        var command = parsed.Command;
        connection.CommandError = null;

        // The connection's CommandsCancelled, cancelled when it goes, starts closing or is drained (not only on the
        // socket's abort): rpc handlers and broker reads and writes get it. Read only for the commands that pass it
        // on, as the first read creates the connection's token source; a ping or pong does not need one.
        var cancellationToken = command.Type is CommandType.Subscribe or CommandType.Publish or CommandType.History or CommandType.Presence or CommandType.Rpc
            ? connection.CommandsCancelled
            : CancellationToken.None;
        using var span = command.Type is CommandType.Subscribe or CommandType.Publish or CommandType.Rpc
            ? Diagnostics.SwitchboardActivities.StartCommand(Command.TypeName(command.Type), command.Channel?.Value ?? command.Method)
            : null;
        try
        {
            await ExecuteAsync(connection, command, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            Fail(connection, command, ErrorOf(connection, command, ex, cancellationToken));
        }

        if (connection.CommandError is { } error)
        {
            Diagnostics.SwitchboardActivities.Fail(span, error);
        }

        connection.Metrics?.CommandCompleted(Command.TypeName(command.Type), connection.CommandError, started);
    }

    /// <summary>The documented error for a command that threw; the details go to the log only.</summary>
    private ProtocolError ErrorOf(SwitchboardConnection connection, Command command, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                // The connection is closing (or draining): the reply goes out before the close frame if it still can.
                return new ProtocolError(ErrorCodes.Unavailable, "the connection is closing; the command was cancelled");
            case PublicationTooLargeException tooLarge:
                return new ProtocolError(ErrorCodes.TooLarge, tooLarge.Message);
            case ProxyRefusalException refusal:
                return refusal.Error ?? new ProtocolError(ErrorCodes.Unavailable, "disconnected by the application");
            case RpcException rpc:
                return new ProtocolError(ErrorCodes.All.Contains(rpc.Code) ? rpc.Code : ErrorCodes.Internal, rpc.Message);
            case BrokerUnavailableException:
                Log.BrokerUnavailable(_logger, exception);
                return new ProtocolError(ErrorCodes.Unavailable, "the broker is not available, try again");
            default:
                Log.CommandFailed(_logger, Command.TypeName(command.Type), connection.Id, exception);
                connection.Metrics?.Error(exception.GetType().Name);
                return new ProtocolError(ErrorCodes.Internal, "internal error");
        }
    }

    private ValueTask ExecuteAsync(SwitchboardConnection connection, Command command, CancellationToken cancellationToken)
    {
        switch (command.Type)
        {
            case CommandType.Subscribe:
                return SubscribeAsync(connection, command, cancellationToken);
            case CommandType.Unsubscribe:
                return UnsubscribeAsync(connection, command);
            case CommandType.Publish:
                throw new System.Diagnostics.UnreachableException("publishes are executed by PublishAsync, before this switch");
            case CommandType.History:
                return HistoryAsync(connection, command, cancellationToken);
            case CommandType.Presence:
                return PresenceAsync(connection, command, cancellationToken);
            case CommandType.Rpc:
                return RpcAsync(connection, command, cancellationToken);
            case CommandType.Ping:
                connection.Send(static (buffer, id) => MessageWriter.WritePong(buffer, id), command.Id);
                return ValueTask.CompletedTask;
            case CommandType.Pong:
                return ValueTask.CompletedTask;
            case CommandType.Refresh:
                return RefreshAsync(connection, command);
            case CommandType.Auth:
                Auth(connection, command);
                return ValueTask.CompletedTask;
            default:
                Fail(connection, command, new ProtocolError(ErrorCodes.UnknownType, "unknown command"));
                return ValueTask.CompletedTask;
        }
    }

    private async ValueTask SubscribeAsync(SwitchboardConnection connection, Command command, CancellationToken cancellationToken)
    {
        var channel = command.Channel!;
        if (connection.Subscriptions.TryGetValue(channel.Value, out var existing))
        {
            if (!existing.IsInterrupted)
            {
                Fail(connection, command, ProtocolError.BadRequest($"already subscribed to '{channel.Value}'"));
                return;
            }

            // The node ended it with the gap notice: this subscribe (with since) takes its place.
            connection.Subscriptions.Remove(channel.Value);
            await _node.RemoveSubscriptionAsync(existing).ConfigureAwait(false);
        }

        if (connection.Subscriptions.Count >= Options.MaxSubscriptionsPerConnection)
        {
            Fail(connection, command, new ProtocolError(ErrorCodes.LimitExceeded, $"at most {Options.MaxSubscriptionsPerConnection} subscriptions per connection"));
            return;
        }

        if (!Authorize(connection, command, ChannelAction.Subscribe, channel)
            || (command.Presence && !Authorize(connection, command, ChannelAction.Presence, channel)))
        {
            return; // join/leave events show presence, so asking for them needs the presence permission.
        }

        var data = ReadOnlyMemory<byte>.Empty;
        if (_proxy.Options.Subscribe.AppliesTo(channel.Value))
        {
            if (await ProxySubscribeAsync(connection, command, cancellationToken).ConfigureAwait(false) is not { } allowed)
            {
                return;
            }

            data = allowed;
        }

        var subscription = new ChannelSubscription(connection, channel, command.Presence);
        connection.Subscriptions.Add(channel.Value, subscription);
        var added = false;
        try
        {
            // Not cancelled with this connection: the node's broker subscription to the channel is shared by its
            // other subscribers, who may be waiting on the same channel lock.
            await _node.AddSubscriptionAsync(subscription, CancellationToken.None).ConfigureAwait(false);
            connection.Metrics?.SubscriptionsChanged(1);
            added = true;
            if (channel.IsWildcard)
            {
                Reply(connection, command, new SubscribeReply(channel.Value, null, null, [], data), ReplyWriter.WriteSubscribe);
                _node.GoLive(subscription, null);
                return;
            }

            var history = await _node.Broker.GetHistoryAsync(channel.Value, new HistoryQuery(command.Since, command.Since is null ? 0 : null), cancellationToken).ConfigureAwait(false);
            var recovered = command.Since is not null && history.Complete && RecoveryBudget.Fits(history.Publications, Options.OutgoingQueueLimit);
            if (command.Since is not null)
            {
                connection.Metrics?.Recovery(recovered);
            }
            Reply(connection, command, new SubscribeReply(channel.Value, history.Position, command.Since is null ? null : recovered, history.Publications, data), ReplyWriter.WriteSubscribe);

            // Without an id the client gets no result, but it still must not see what the result would have covered twice.
            _node.GoLive(subscription, history.Position);
        }
        catch
        {
            connection.Subscriptions.Remove(channel.Value);
            await _node.RemoveSubscriptionAsync(subscription).ConfigureAwait(false);
            if (added)
            {
                connection.Metrics?.SubscriptionsChanged(-1);
            }

            throw;
        }
    }

    private async ValueTask UnsubscribeAsync(SwitchboardConnection connection, Command command)
    {
        var channel = command.Channel!;
        if (!connection.Subscriptions.Remove(channel.Value, out var subscription))
        {
            Fail(connection, command, new ProtocolError(ErrorCodes.NotSubscribed, $"not subscribed to '{channel.Value}'"));
            return;
        }

        await _node.RemoveSubscriptionAsync(subscription).ConfigureAwait(false);
        connection.Metrics?.SubscriptionsChanged(-1);
        Reply(connection, command);
    }

    private async ValueTask HistoryAsync(SwitchboardConnection connection, Command command, CancellationToken cancellationToken)
    {
        var channel = command.Channel!;
        if (!Authorize(connection, command, ChannelAction.History, channel))
        {
            return;
        }

        var history = await _node.Broker.GetHistoryAsync(channel.Value, new HistoryQuery(command.Since, command.Limit), cancellationToken).ConfigureAwait(false);
        var page = HistoryPage.Cut(history, Options.OutgoingQueueLimit);
        Reply(connection, command, page, ReplyWriter.WriteHistory);
    }

    private async ValueTask PresenceAsync(SwitchboardConnection connection, Command command, CancellationToken cancellationToken)
    {
        var channel = command.Channel!;
        if (!Authorize(connection, command, ChannelAction.Presence, channel))
        {
            return;
        }

        var clients = await _node.Presence.Store.GetAsync(channel.Value, cancellationToken).ConfigureAwait(false);
        Reply(connection, command, clients, static (w, clients) => PresenceWriter.WriteClients(w, clients));
    }

    private async ValueTask RpcAsync(SwitchboardConnection connection, Command command, CancellationToken cancellationToken)
    {
        if (!Options.RpcHandlers.TryGetValue(command.Method!, out var handler))
        {
            if (_proxy.Options.Rpc.IsEnabled)
            {
                await ProxyRpcAsync(connection, command, cancellationToken).ConfigureAwait(false);
                return;
            }

            Fail(connection, command, new ProtocolError(ErrorCodes.NotFound, $"unknown rpc method '{command.Method}'"));
            return;
        }

        using var parameters = command.Params.IsEmpty ? null : JsonDocument.Parse(command.Params);
        var request = new RpcRequest(command.Method!, parameters?.RootElement ?? default, connection.Id, connection.Identity);
        var result = await handler(request, cancellationToken).ConfigureAwait(false);
        if (command.Id is { } id)
        {
            var raw = result.ValueKind == JsonValueKind.Undefined ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(result, SwitchboardJsonContext.Default.JsonElement);
            connection.Send(static (buffer, s) => MessageWriter.WriteSuccessRaw(buffer, s.id, s.raw), (id, raw));
        }
    }

    private bool Authorize(SwitchboardConnection connection, Command command, ChannelAction action, ChannelPattern channel)
    {
        if (Denial(connection, action, channel) is not { } denial)
        {
            return true;
        }

        Fail(connection, command, denial);
        return false;
    }

    /// <summary>Why <paramref name="action"/> on <paramref name="channel"/> is refused, or null when it is allowed.</summary>
    private ProtocolError? Denial(SwitchboardConnection connection, ChannelAction action, ChannelPattern channel)
    {
        if (HandlerChannels.IsReserved(channel.Value))
        {
            return new ProtocolError(ErrorCodes.Forbidden, $"channels starting with '{HandlerChannels.Prefix}' are reserved for custom handlers");
        }

        if (_authorizer.IsAllowed(connection.Identity, action, channel))
        {
            return null;
        }

        var code = connection.Identity.IsAuthenticated ? ErrorCodes.Forbidden : ErrorCodes.Unauthorized;
        return new ProtocolError(code, $"{action.ToString().ToLowerInvariant()} is not allowed on '{channel.Value}'");
    }

    private static void Reply(SwitchboardConnection connection, Command command)
    {
        if (command.Id is { } id)
        {
            connection.Send(static (buffer, id) => MessageWriter.WriteSuccess(buffer, id), id);
        }
    }

    private static void Reply<TState>(SwitchboardConnection connection, Command command, TState state, Action<Utf8JsonWriter, TState> writeResult)
    {
        if (command.Id is { } id)
        {
            connection.Send(static (buffer, s) => MessageWriter.WriteSuccess(buffer, s.id, s.state, s.writeResult), (id, state, writeResult));
        }
    }

    private static void Fail(SwitchboardConnection connection, Command command, ProtocolError error) =>
        Fail(connection, command.Id, Command.TypeName(command.Type), error);

    private static void Fail(SwitchboardConnection connection, CommandId? id, string? typeName, ProtocolError error)
    {
        connection.CommandError = error.Code;
        SendError(connection, id, typeName, error);
    }

    private static void SendError(SwitchboardConnection connection, CommandId? id, string? typeName, ProtocolError error) =>
        connection.Send(static (buffer, s) => MessageWriter.WriteCommandError(buffer, s.id, s.error, s.typeName), (id, typeName, error));
}
