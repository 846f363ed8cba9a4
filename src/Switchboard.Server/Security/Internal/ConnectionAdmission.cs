using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Protocol;
using Switchboard.Server.Transport;

namespace Switchboard.Server.Security.Internal;

/// <summary>A connection let in: who it is, the limiter counters it holds, and its command rate guard (if any).</summary>
internal sealed class AdmittedConnection(ConnectionIdentity identity, ConnectionSlot slot, CommandRateGuard? rateGuard) : IDisposable
{
    public ConnectionIdentity Identity { get; } = identity;

    /// <summary>The connection id the connect proxy already gave the backend, or <see langword="null"/>.</summary>
    public string? ClientId { get; init; }

    /// <summary>The headers forwarded to the connect proxy, kept for the connection's later calls, or <see langword="null"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? ForwardedHeaders { get; init; }

    public CommandRateGuard? RateGuard { get; } = rateGuard;

    public void Dispose()
    {
        slot.Dispose();
        RateGuard?.Dispose();
    }
}

/// <summary>
/// Decides who gets in, on the accepted socket: the connection limits (1013), the application's signed-in user or
/// else the token from the upgrade request or the protocol's first-message handshake (1008 when invalid or late), and
/// the per-user limit. Runs before the connection starts, on the raw socket, for any protocol.
/// </summary>
/// <remarks>Thread safety: safe from many threads; per-connection state lives in the returned objects.</remarks>
internal sealed class ConnectionAdmission
{
    private readonly SecurityPolicy _policy;
    private readonly SwitchboardOptions _options;
    private readonly ConnectionLimiter _limiter = new();
    private readonly CancellationToken _stopping;
    private readonly ILogger<ConnectionAdmission> _logger;
    private readonly ILogger<CommandRateGuard> _guardLogger;
    private readonly AppSignIn _signIn;
    private readonly Proxy.Internal.ProxyConnect _connect;

    public ConnectionAdmission(SecurityPolicy policy, AppSignIn signIn, Proxy.Internal.ProxyConnect connect, IOptions<SwitchboardOptions> options, IHostApplicationLifetime lifetime, ILogger<ConnectionAdmission> logger, ILogger<CommandRateGuard> guardLogger)
    {
        _policy = policy;
        _signIn = signIn;
        _connect = connect;
        _options = options.Value;
        _stopping = lifetime.ApplicationStopping;
        _logger = logger;
        _guardLogger = guardLogger;
    }

    /// <summary>Lets the connection in, or closes the socket with the documented code and returns <see langword="null"/>.</summary>
    public async Task<AdmittedConnection?> AdmitAsync(HttpContext context, WebSocket socket, IConnectionProtocol protocol)
    {
        var slot = new ConnectionSlot(_limiter);
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        try
        {
            if (!slot.TryEnterTotal(_policy.MaxConnections))
            {
                await RefuseAsync(socket, address, "too many connections").ConfigureAwait(false);
                return null;
            }

            if (!slot.TryEnterIp(address, _policy.MaxConnectionsPerIp))
            {
                await RefuseAsync(socket, address, "too many connections from this address").ConfigureAwait(false);
                return null;
            }

            string? clientId = null;
            KeyValuePair<string, string>[]? headers = null;
            ConnectionIdentity? identity;
            if (UsesConnectProxy(context, protocol.Authentication))
            {
                clientId = Switchboard.Server.Internal.SwitchboardConnection.NewId();
                headers = Proxy.Internal.ProxyHeaders.From(context, _connect.Options);
                identity = await ConnectThroughProxyAsync(context, socket, address, clientId, headers).ConfigureAwait(false);
            }
            else
            {
                identity = await AuthenticateAsync(context, socket, slot, address, protocol.Authentication).ConfigureAwait(false);
            }

            if (identity is null)
            {
                return null;
            }

            if (identity.UserId is { } user && !slot.TryEnterUser(user, _policy.MaxConnectionsPerUser))
            {
                await RefuseAsync(socket, address, "too many connections for this user").ConfigureAwait(false);
                return null;
            }

            var guard = protocol.RateLimit is { } limit ? new CommandRateGuard(limit, _guardLogger) : null;
            var admitted = new AdmittedConnection(identity, slot, guard) { ClientId = clientId, ForwardedHeaders = headers };
            slot = null;
            return admitted;
        }
        finally
        {
            slot?.Dispose();
        }
    }

    /// <summary>Whether the application's backend decides who this client is: the protocol uses it, and the client brought no sign-in or Switchboard token.</summary>
    private bool UsesConnectProxy(HttpContext context, ConnectionAuthentication authentication) =>
        authentication.UsesConnectProxy && _connect.IsEnabled && !AppSignIn.IsSignedIn(context)
        && (_policy.Tokens is null || TokenFromRequest(context.Request) is (null, null));

    private async Task<ConnectionIdentity?> ConnectThroughProxyAsync(HttpContext context, WebSocket socket, string address, string clientId, KeyValuePair<string, string>[] headers)
    {
        if (!Proxy.Internal.ProxyConnectData.TryRead(context.Request, out var data, out var invalid))
        {
            await RejectAsync(socket, address, invalid!, null).ConfigureAwait(false);
            return null;
        }

        var outcome = await _connect.ConnectAsync(clientId, data, headers, context.RequestAborted).ConfigureAwait(false);
        if (outcome.Identity is { } identity)
        {
            return identity;
        }

        SecurityLog.AuthenticationFailed(_logger, address, "connect proxy: " + outcome.CloseReason);
        await RawSocket.CloseAsync(socket, outcome.CloseCode, outcome.CloseReason, _options.CloseTimeout).ConfigureAwait(false);
        return null;
    }

    private async Task<ConnectionIdentity?> AuthenticateAsync(HttpContext context, WebSocket socket, ConnectionSlot slot, string address, ConnectionAuthentication authentication)
    {
        if (authentication.Handshake is { Always: true } always)
        {
            return await HandshakeAsync(context, socket, slot, address, always).ConfigureAwait(false);
        }

        if (AppSignIn.IsSignedIn(context))
        {
            // The application signed the user in (cookies, JwtBearer, ...): that is who connects. A Switchboard token in
            // the request is not looked at: with JwtBearer, the application's own bearer token is in that very header.
            var signedIn = _signIn.Read(context);
            if (!signedIn.IsValid)
            {
                await RejectAsync(socket, address, signedIn.Error!, authentication.RejectReason).ConfigureAwait(false);
            }

            return signedIn.Identity;
        }

        var tokens = _policy.Tokens;
        if (tokens is null)
        {
            if (authentication.RequireToken() && authentication.Handshake is null)
            {
                // A handler that requires a user on a server whose users come only from the application's sign-in.
                await RejectAsync(socket, address, "sign-in required", authentication.RejectReason).ConfigureAwait(false);
                return null;
            }

            // No key: tokens cannot be checked, so they carry nothing; clients are anonymous (open or rule-based mode).
            return ConnectionIdentity.Anonymous;
        }

        var (token, conflict) = TokenFromRequest(context.Request);
        if (conflict is not null)
        {
            await RejectAsync(socket, address, conflict, authentication.RejectReason).ConfigureAwait(false);
            return null;
        }

        if (token is not null)
        {
            var check = await tokens.ValidateAsync(token).ConfigureAwait(false);
            if (!check.IsValid)
            {
                await RejectAsync(socket, address, check.Error!, authentication.RejectReason).ConfigureAwait(false);
            }

            return check.Identity;
        }

        if (!authentication.RequireToken())
        {
            return ConnectionIdentity.Anonymous;
        }

        if (authentication.Handshake is not { } handshake)
        {
            await RejectAsync(socket, address, "token required", authentication.RejectReason).ConfigureAwait(false);
            return null;
        }

        return await HandshakeAsync(context, socket, slot, address, handshake).ConfigureAwait(false);
    }

    private async Task<ConnectionIdentity?> HandshakeAsync(HttpContext context, WebSocket socket, ConnectionSlot slot, string address, IAuthenticationHandshake handshake)
    {
        if (!slot.TryEnterPending(_policy.MaxPendingConnections))
        {
            await RefuseAsync(socket, address, "too many connections waiting to authenticate").ConfigureAwait(false);
            return null;
        }

        try
        {
            return await RunHandshakeAsync(context, socket, address, handshake).ConfigureAwait(false);
        }
        finally
        {
            slot.ExitPending();
        }
    }

    /// <summary>The protocol's prompt, then the client's first message must pass its check within the auth timeout.</summary>
    private async Task<ConnectionIdentity?> RunHandshakeAsync(HttpContext context, WebSocket socket, string address, IAuthenticationHandshake handshake)
    {
        if (!handshake.Prompt.IsEmpty && !await TrySendAsync(socket, handshake.Prompt).ConfigureAwait(false))
        {
            return null;
        }

        // No cancellation on the receive itself: cancelling a WebSocket receive aborts the socket, and the client
        // must still get its close frame with the reason.
        var receive = RawSocket.ReceiveAsync(socket, _options.MaxMessageSize);
        var timeout = Task.Delay(_policy.Auth.AuthTimeout, _stopping);
        var frameTooLarge = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frames = Transport.WebSocketAcceptor.FrameGuard(socket);
        frames?.OnExceeded = () => frameTooLarge.TrySetResult();
        var first = await Task.WhenAny(receive, timeout, frameTooLarge.Task).ConfigureAwait(false);
        frames?.OnExceeded = null;
        if (first == frameTooLarge.Task)
        {
            await RawSocket.CloseAsync(socket, CloseCodes.MessageTooBig, $"message larger than {_options.MaxMessageSize} bytes", _options.CloseTimeout, receive).ConfigureAwait(false);
            return null;
        }

        if (first != receive)
        {
            var stopping = _stopping.IsCancellationRequested;
            SecurityLog.AuthenticationFailed(_logger, address, stopping ? "server stopping" : "auth timeout");
            await RawSocket.CloseAsync(socket, stopping ? CloseCodes.GoingAway : CloseCodes.PolicyViolation, stopping ? "server shutting down" : "authentication timeout", _options.CloseTimeout, receive).ConfigureAwait(false);
            return null;
        }

        var (kind, data) = await receive.ConfigureAwait(false);
        switch (kind)
        {
            case RawMessageKind.Closed:
                await RawSocket.CloseAsync(socket, CloseCodes.Normal, string.Empty, _options.CloseTimeout, Task.CompletedTask).ConfigureAwait(false);
                return null;
            case RawMessageKind.Binary:
                await RawSocket.CloseAsync(socket, CloseCodes.UnsupportedData, "binary frames are not supported", _options.CloseTimeout).ConfigureAwait(false);
                return null;
            case RawMessageKind.TooLarge:
                await RawSocket.CloseAsync(socket, CloseCodes.MessageTooBig, $"message larger than {_options.MaxMessageSize} bytes", _options.CloseTimeout).ConfigureAwait(false);
                return null;
        }

        var outcome = await handshake.CheckAsync(context, data).ConfigureAwait(false);
        if (outcome.Identity is { } identity)
        {
            return outcome.Reply.IsEmpty || await TrySendAsync(socket, outcome.Reply).ConfigureAwait(false) ? identity : null;
        }

        var reason = outcome.CloseReason ?? "authentication failed";
        SecurityLog.AuthenticationFailed(_logger, address, reason);
        if (outcome.Reply.IsEmpty || await TrySendAsync(socket, outcome.Reply).ConfigureAwait(false))
        {
            await RawSocket.CloseAsync(socket, CloseCodes.PolicyViolation, CloseReason(reason), _options.CloseTimeout).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>
    /// The token of the upgrade request: <c>Authorization: Bearer</c> or <c>?token=</c>. Both at once (or the query
    /// parameter twice) is refused rather than choosing one: two credentials that may differ are a sign of a mix-up or
    /// an attack, and picking either silently hides it.
    /// </summary>
    internal static (string? Token, string? Conflict) TokenFromRequest(HttpRequest request)
    {
        string? header = null;
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 1)
        {
            return (null, "more than one Authorization header");
        }

        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            header = value["Bearer ".Length..].Trim();
        }

        var query = request.Query["token"];
        if (query.Count > 1)
        {
            return (null, "token given more than once");
        }

        var fromQuery = query.Count == 1 ? query[0] : null;
        if (header is not null && fromQuery is not null)
        {
            return (null, "token given in both header and query");
        }

        return (header ?? fromQuery, null);
    }

    private async Task RejectAsync(WebSocket socket, string address, string reason, string? publicReason)
    {
        SecurityLog.AuthenticationFailed(_logger, address, reason);
        await RawSocket.CloseAsync(socket, CloseCodes.PolicyViolation, CloseReason(publicReason ?? reason), _options.CloseTimeout).ConfigureAwait(false);
    }

    private async Task RefuseAsync(WebSocket socket, string address, string reason)
    {
        SecurityLog.ConnectionLimited(_logger, address, reason);
        await RawSocket.CloseAsync(socket, CloseCodes.TryAgainLater, reason, _options.CloseTimeout).ConfigureAwait(false);
    }

    private async Task<bool> TrySendAsync(WebSocket socket, ReadOnlyMemory<byte> message)
    {
        try
        {
            using var cts = new CancellationTokenSource(_options.CloseTimeout + _options.PongTimeout);
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
            return false;
        }
    }

    /// <summary>A close reason fits in 123 bytes of UTF-8.</summary>
    private static string CloseReason(string reason) => Encoding.UTF8.GetByteCount(reason) <= 123 ? reason : Truncate(reason, 60);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
