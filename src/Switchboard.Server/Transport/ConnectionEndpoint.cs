using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Internal;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Transport;

/// <summary>
/// The connection core's entry: takes a WebSocket upgrade request, admits and authenticates the client, runs the
/// connection with the given protocol to its end, and removes every trace of it. Knows no message format.
/// </summary>
/// <remarks>Thread safety: one instance serves every endpoint and request.</remarks>
internal sealed class ConnectionEndpoint
{
    private readonly SwitchboardNode _node;
    private readonly ConnectionAdmission _admission;
    private readonly OriginCheck _origins;
    private readonly ILogger<SwitchboardConnection> _logger;
    private readonly SwitchboardMetrics _metrics;
    private readonly Proxy.SwitchboardProxyOptions _proxy;

    public ConnectionEndpoint(SwitchboardNode node, ConnectionAdmission admission, OriginCheck origins, SwitchboardMetrics metrics, Microsoft.Extensions.Options.IOptions<Proxy.SwitchboardProxyOptions> proxy, ILogger<SwitchboardConnection> logger)
    {
        _proxy = proxy.Value;
        _origins = origins;
        _node = node;
        _metrics = metrics;
        _admission = admission;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context, IConnectionProtocol protocol)
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

        if (!await _origins.IsAllowedAsync(context, protocol.Authentication.UsesConnectProxy && _proxy.Connect.IsEnabled).ConfigureAwait(false))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var early = await protocol.BeforeAcceptAsync(context).ConfigureAwait(false);
        var started = false;
        try
        {
            started = await RunAsync(context, protocol, early).ConfigureAwait(false);
        }
        finally
        {
            if (!started)
            {
                await protocol.AbandonAsync(early).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Accepts, admits and runs the connection; <see langword="false"/> when it never started.</summary>
    private async Task<bool> RunAsync(HttpContext context, IConnectionProtocol protocol, object? early)
    {
        var options = _node.Options;
        var subProtocol = protocol.SelectSubProtocol(context.WebSockets.WebSocketRequestedProtocols);
        WebSocket acceptedSocket;
        try
        {
            acceptedSocket = await WebSocketAcceptor.AcceptAsync(context, subProtocol, protocol.Heartbeat.Kind, options.PingInterval, options.PongTimeout, options.MaxMessageSize).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (!context.Response.HasStarted)
        {
            // Kestrel's upgraded-connection limit (set below the open-file limit by FileDescriptorBudget) is reached:
            // refuse with the HTTP equivalent of 1013 rather than an unhandled exception.
            Log.UpgradeLimitReached(_logger);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            return false;
        }

        using var socket = acceptedSocket;

        // Limits and authentication happen on the accepted socket, so that a refused client sees why in the close frame.
        AdmittedConnection? admitted;
        using (var span = SwitchboardActivities.StartConnect(context.Connection.RemoteIpAddress))
        {
            admitted = await _admission.AdmitAsync(context, socket, protocol).ConfigureAwait(false);
            if (admitted is null)
            {
                SwitchboardActivities.Fail(span, "refused");
                return false;
            }

            span?.SetTag("enduser.id", admitted.Identity.UserId);
        }

        using var admittedScope = admitted;

        if (_node.IsDraining)
        {
            // Shutdown began while the client authenticated: the drain has already closed the registered connections.
            await RawSocket.CloseAsync(socket, CloseCodes.GoingAway, "server shutting down", options.CloseTimeout).ConfigureAwait(false);
            return false;
        }

        var batch = protocol.SupportsBatching && context.Request.Query["batch"] == "1";
        var connection = new SwitchboardConnection(socket, batch, admitted.Identity, options, protocol, _logger, _node.Time)
        {
            Id = admitted.ClientId ?? SwitchboardConnection.NewId(), // The connect proxy named it to the backend already.
            RateGuard = admitted.RateGuard,
            Metrics = _metrics,
            ProtocolState = early,
            ForwardedHeaders = admitted.ForwardedHeaders ?? Proxy.Internal.ProxyHeaders.From(context, _proxy),
        };
        _node.Connections.Add(connection);
        var opened = _metrics.ConnectionOpened();
        Log.ConnectionOpened(_logger, connection.Id);
        try
        {
            await connection.RunAsync(context, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            _node.Connections.Remove(connection);
            await connection.EndAsync(_node).ConfigureAwait(false);
            _metrics.ConnectionClosed(connection.CloseCode ?? (int?)socket.CloseStatus ?? 1006 /* abnormal closure: no close frame */, opened);
            Log.ConnectionClosed(_logger, connection.Id);
        }

        return true;
    }
}
