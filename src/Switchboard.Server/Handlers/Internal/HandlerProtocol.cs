using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Brokers;
using Switchboard.Server.Internal;
using Switchboard.Server.Security.Internal;
using Switchboard.Server.Transport;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>
/// A <see cref="SwitchboardHandler"/> as a protocol of the connection core: routes each message by its type, turns
/// every failure into the application's error reply, and keeps the connection's audiences (everyone, its user, its
/// roles, the groups it joins) as subscriptions to the handler's broker channels.
/// </summary>
/// <remarks>Thread safety: one instance serves every connection of one mapping; per-connection state is in <see cref="HandlerConnection"/>.</remarks>
internal sealed class HandlerProtocol : IConnectionProtocol
{
    private readonly SwitchboardHandler _handler;
    private readonly IReadOnlyDictionary<string, HandlerRoute> _routes;
    private readonly byte[] _typeProperty;
    private readonly SwitchboardNode _node;
    private readonly string _name;
    private readonly ILogger _logger;

    public HandlerProtocol(SwitchboardHandler handler, HandlerOptions options, SwitchboardNode node, SecurityPolicy policy, ILogger logger)
    {
        _handler = handler;
        _routes = new Dictionary<string, HandlerRoute>(options.Routes, StringComparer.Ordinal);
        TypeProperty = options.TypeProperty;
        _typeProperty = Encoding.UTF8.GetBytes(options.TypeProperty);
        _node = node;
        _name = handler.GetType().Name;
        _logger = logger;
        Heartbeat = HandlerSettings.Heartbeat(options);
        Authentication = HandlerSettings.Authentication(options, policy, new HandlerHandshake(this, options, policy.Tokens));
        RateLimit = options.RateLimiter is { } create ? new MessageRateLimit(create, AbuseThreshold: 0, TimeSpan.FromSeconds(10)) : null;
    }

    public string TypeProperty { get; }

    /// <summary>A handler's query string is the application's: <c>batch</c> means nothing to the core there.</summary>
    public bool SupportsBatching => false;

    public ConnectionHeartbeat Heartbeat { get; }

    public ConnectionAuthentication Authentication { get; }

    public MessageRateLimit? RateLimit { get; }

    public SwitchboardHandler Handler => _handler;

    public string? SelectSubProtocol(IList<string> requested) => null;

    /// <summary>
    /// The "everyone" audience is in place before the 101 goes out: a broadcast sent once the client sees the socket
    /// open (a protocol without a hello, such as a sensor stream) is held and delivered right after connect.
    /// </summary>
    public async ValueTask<object?> BeforeAcceptAsync(HttpContext context)
    {
        var everyone = ChannelSubscription.ForHandlerBeforeAccept(ChannelPattern.Parse(HandlerChannels.All(_handler.Clients.Namespace)));
        await _node.AddSubscriptionAsync(everyone, CancellationToken.None).ConfigureAwait(false);
        return everyone;
    }

    public async ValueTask AbandonAsync(object? state)
    {
        if (state is ChannelSubscription everyone)
        {
            await _node.RemoveSubscriptionAsync(everyone).ConfigureAwait(false);
        }
    }

    public async ValueTask OnConnectedAsync(SwitchboardConnection connection, HttpContext context, CancellationToken cancellationToken)
    {
        // First, before anything can fail: from here the connection's end removes the early audience.
        var everyone = connection.ProtocolState as ChannelSubscription;
        if (everyone is not null)
        {
            connection.Subscriptions.Add(everyone.Channel.Value, everyone);
        }

        var handlerConnection = new HandlerConnection(connection, this, context);
        connection.ProtocolState = handlerConnection;
        var ns = _handler.Clients.Namespace;
        if (connection.Identity.UserId is { } user)
        {
            await AddAudienceAsync(connection, HandlerChannels.User(ns, user)).ConfigureAwait(false);
        }

        foreach (var role in connection.Identity.Roles)
        {
            await AddAudienceAsync(connection, HandlerChannels.Role(ns, role)).ConfigureAwait(false);
        }

        await _handler.OnConnectedAsync(handlerConnection).ConfigureAwait(false);

        // After the handler's hello, so what everyone got meanwhile follows it, in order.
        everyone?.BindAndGoLive(connection);
    }

    public async ValueTask OnMessageAsync(SwitchboardConnection connection, ReadOnlyMemory<byte> message)
    {
        var handlerConnection = (HandlerConnection)connection.ProtocolState!;
        if (!MessageTypeReader.TryRead(message.Span, _typeProperty, out var type))
        {
            SendError(handlerConnection, new HandlerError(HandlerErrorKind.InvalidJson, "Invalid JSON"));
            return;
        }

        var received = new HandlerMessage(message, type);
        try
        {
            if (type is not null && _routes.TryGetValue(type, out var route))
            {
                await route.Handle(handlerConnection, received).ConfigureAwait(false);
            }
            else
            {
                await _handler.OnMessageAsync(handlerConnection, received).ConfigureAwait(false);
            }
        }
        catch (InvalidHandlerMessageException ex)
        {
            SendError(handlerConnection, new HandlerError(HandlerErrorKind.InvalidMessage, ex.Message, received));
        }
        catch (GroupLimitExceededException ex)
        {
            if (!handlerConnection.GroupLimitLogged)
            {
                handlerConnection.GroupLimitLogged = true;
                HandlerLog.GroupLimitReached(_logger, _name, connection.Id, ex.Limit);
            }

            SendError(handlerConnection, new HandlerError(HandlerErrorKind.LimitExceeded, ex.Message, received));
        }
        catch (BrokerUnavailableException ex)
        {
            HandlerLog.BrokerUnavailable(_logger, _name, connection.Id, ex);
            SendError(handlerConnection, new HandlerError(HandlerErrorKind.Failed, "Service unavailable, try again", received));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            HandlerLog.MessageFailed(_logger, _name, type, connection.Id, ex);
            SendError(handlerConnection, new HandlerError(HandlerErrorKind.Failed, "Internal error", received));
        }
        finally
        {
            received.Release();
        }
    }

    public void OnRateLimited(SwitchboardConnection connection, ReadOnlyMemory<byte> message)
    {
        var request = MessageTypeReader.TryRead(message.Span, _typeProperty, out var type) ? new HandlerMessage(message, type) : null;
        try
        {
            SendError((HandlerConnection)connection.ProtocolState!, new HandlerError(HandlerErrorKind.RateLimited, "Rate limit exceeded", request));
        }
        finally
        {
            request?.Release();
        }
    }

    public ValueTask OnDisconnectedAsync(SwitchboardConnection connection) =>
        connection.ProtocolState is HandlerConnection handlerConnection ? _handler.OnDisconnectedAsync(handlerConnection) : ValueTask.CompletedTask;

    public void SendError(HandlerConnection connection, HandlerError error)
    {
        try
        {
            _handler.OnError(connection, error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            HandlerLog.ErrorReplyFailed(_logger, _name, connection.Id, ex);
        }
    }

    public async ValueTask<bool> JoinAsync(HandlerConnection connection, HashSet<string> groups, string group)
    {
        var channel = HandlerChannels.Group(_handler.Clients.Namespace, group);
        if (groups.Contains(group))
        {
            return false;
        }

        // Only groups count: the audiences (everyone, the user, its roles) are the server's, so a client's limit is
        // the same number whoever it is (it used to be 4,094 for a user with no roles, shared with them).
        if (groups.Count >= _node.Options.MaxSubscriptionsPerConnection)
        {
            throw new GroupLimitExceededException(_node.Options.MaxSubscriptionsPerConnection);
        }

        await AddAudienceAsync(connection.Transport, channel).ConfigureAwait(false);
        groups.Add(group);
        return true;
    }

    public async ValueTask<bool> LeaveAsync(HandlerConnection connection, HashSet<string> groups, string group)
    {
        var channel = HandlerChannels.Group(_handler.Clients.Namespace, group);
        if (!groups.Remove(group))
        {
            return false;
        }

        if (connection.Transport.Subscriptions.Remove(channel, out var subscription))
        {
            await _node.RemoveSubscriptionAsync(subscription).ConfigureAwait(false);
        }

        return true;
    }

    public void AuthenticationFailed(Exception exception) => HandlerLog.AuthenticationFailed(_logger, _name, exception);

    private async ValueTask AddAudienceAsync(SwitchboardConnection connection, string channel)
    {
        if (connection.Subscriptions.ContainsKey(channel))
        {
            return;
        }

        var subscription = ChannelSubscription.ForHandler(connection, ChannelPattern.Parse(channel));
        connection.Subscriptions.Add(channel, subscription);
        try
        {
            await _node.AddSubscriptionAsync(subscription, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            connection.Subscriptions.Remove(channel);
            throw;
        }
    }
}
