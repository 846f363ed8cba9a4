using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Internal;

/// <summary>Accepts a WebSocket upgrade on the Switchboard endpoint and runs the connection to its end.</summary>
internal sealed class ConnectionHandler
{
    /// <summary>The optional subprotocol of protocol v1.</summary>
    public const string SubProtocol = "switchboard.v1.json";

    private readonly SwitchboardNode _node;
    private readonly CommandDispatcher _dispatcher;
    private readonly ConnectionAdmission _admission;
    private readonly ILogger<SwitchboardConnection> _logger;

    public ConnectionHandler(SwitchboardNode node, CommandDispatcher dispatcher, ConnectionAdmission admission, ILogger<SwitchboardConnection> logger)
    {
        _node = node;
        _dispatcher = dispatcher;
        _admission = admission;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            Log.NotWebSocket(_logger, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("expected a WebSocket upgrade request").ConfigureAwait(false);
            return;
        }

        if (_node.IsDraining)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (!_admission.IsOriginAllowed(context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var subProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol) ? SubProtocol : null;
        WebSocket acceptedSocket;
        try
        {
            acceptedSocket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = subProtocol,
                KeepAliveInterval = TimeSpan.Zero, // Heartbeats are protocol pings, which also detect a dead client.
                DangerousEnableCompression = false,
            }).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (!context.Response.HasStarted)
        {
            // Kestrel's upgraded-connection limit (set below the open-file limit by FileDescriptorBudget) is reached:
            // refuse with the HTTP equivalent of 1013 rather than an unhandled exception.
            Log.UpgradeLimitReached(_logger);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            return;
        }

        using var socket = acceptedSocket;

        // Limits and authentication happen on the accepted socket, so that a refused client sees why in the close frame.
        using var admitted = await _admission.AdmitAsync(context, socket).ConfigureAwait(false);
        if (admitted is null)
        {
            return;
        }

        if (_node.IsDraining)
        {
            // Shutdown began while the client authenticated: the drain has already closed the registered connections.
            await RawSocket.CloseAsync(socket, CloseCodes.GoingAway, "server shutting down", _node.Options.CloseTimeout).ConfigureAwait(false);
            return;
        }

        var batch = context.Request.Query["batch"] == "1";
        var connection = new SwitchboardConnection(socket, batch, admitted.Identity, _node.Options, _dispatcher, _logger) { RateGuard = admitted.RateGuard };
        _node.Connections.Add(connection);
        Log.ConnectionOpened(_logger, connection.Id);
        try
        {
            await connection.RunAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            _node.Connections.Remove(connection);
            _node.Traffic.Closed(connection.CloseCode ?? 1006); // 1006: ended without a close handshake (RFC 6455).
            foreach (var subscription in connection.Subscriptions.Values)
            {
                await _node.RemoveSubscriptionAsync(subscription).ConfigureAwait(false);
            }

            connection.Subscriptions.Clear();
            connection.Completed.TrySetResult();
            Log.ConnectionClosed(_logger, connection.Id);
        }
    }
}
