using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Security.Internal;

/// <summary>
/// One timer for all connections: sends <c>token_expiring</c> once per connection and expiry time, <see cref="SwitchboardAuthOptions.TokenExpiringAhead"/>
/// before it expires (built-in protocol only: a custom handler's clients do not know that message), and closes with 4001 a connection whose token expired without a refresh. A token lasts until
/// <c>exp</c> plus the clock skew, the same tolerance it was accepted with. A user signed in by the application's
/// authentication is treated alike, with the ticket's expiry as <c>exp</c>. The clock is the node's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class TokenExpiryMonitor : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private readonly SwitchboardNode _node;
    private readonly SecurityPolicy _policy;
    private readonly ILogger<TokenExpiryMonitor> _logger;

    private readonly bool _appSignIn;
    private readonly Proxy.Internal.ProxyConnect _proxy;

    public TokenExpiryMonitor(SwitchboardNode node, SecurityPolicy policy, Proxy.Internal.ProxyConnect proxy, IServiceProvider services, ILogger<TokenExpiryMonitor> logger)
    {
        _proxy = proxy;
        // An application with ASP.NET Core authentication signs users in whose tickets expire like tokens.
        _appSignIn = services.GetService(typeof(Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider)) is not null;
        _node = node;
        _policy = policy;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_policy.Tokens is null && !_appSignIn && !_proxy.IsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Tick, _node.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Check(_node.Time.GetUtcNow());
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    private void Check(DateTimeOffset now)
    {
        var skew = _policy.Auth.ClockSkew;
        var ahead = _policy.Auth.TokenExpiringAhead;
        foreach (var connection in _node.Connections.All)
        {
            var identity = connection.Identity;
            if (identity.ExpiresAt is not { } expires)
            {
                continue;
            }

            var deadline = expires + skew;
            if (now >= deadline)
            {
                SecurityLog.TokenExpired(_logger, connection.Id, identity.UserId);
                connection.Close(CloseCodes.TokenExpired, "token expired", discardQueued: false);
            }
            else if (identity.FromProxy)
            {
                // The client cannot refresh what the backend granted: the node asks the backend, ahead of the expiry.
                if (now >= deadline - ahead && _proxy.Options.Refresh.IsEnabled && (connection.ProxyRefreshRetry?.IsDue(now) ?? true)
                    && Interlocked.Exchange(ref connection.ProxyRefreshing, 1) == 0)
                {
                    _ = RefreshThroughProxyAsync(connection, identity);
                }
            }
            else if (now >= deadline - ahead && connection.ExpiryWarnedFor != expires && connection.Protocol is BuiltInProtocol)
            {
                // Keyed by the expiry, not the token: a refresh with a token that expires at the same time (a client
                // whose provider caches) must not be warned again every tick until then.
                connection.ExpiryWarnedFor = expires;
                SecurityLog.TokenExpiring(_logger, connection.Id, identity.UserId);
                connection.Send(TokenExpiring);
            }
        }
    }

    /// <summary>
    /// The refresh call: a new <c>expire_at</c> replaces the identity's; a <c>disconnect</c> closes now; an error or a
    /// failure leaves the expiry as it is (failures are tried again later, errors are final: the connection
    /// closes with 4001 when it expires). A failure waits out <see cref="Proxy.Internal.ProxyRefreshRetry"/>'s backoff
    /// before the next call. Never throws.
    /// </summary>
    private async Task RefreshThroughProxyAsync(SwitchboardConnection connection, ConnectionIdentity identity)
    {
        var retry = false;
        try
        {
            var outcome = await _proxy.RefreshAsync(connection.Id, identity, connection.ForwardedHeaders, connection.CommandsCancelled).ConfigureAwait(false);
            if (outcome.Identity is { } refreshed)
            {
                connection.Identity = refreshed;
                connection.ProxyRefreshRetry?.Succeeded();
                retry = true; // Extended: the next expiry is refreshed in its turn.
            }
            else if (outcome.CloseCode == CloseCodes.TryAgainLater)
            {
                (connection.ProxyRefreshRetry ??= new()).Failed(_node.Time.GetUtcNow(), Random.Shared);
                retry = true;
            }
            else if (outcome.CloseCode != CloseCodes.PolicyViolation)
            {
                connection.Close(outcome.CloseCode, outcome.CloseReason, discardQueued: false);
            }
        }
        finally
        {
            if (retry)
            {
                Volatile.Write(ref connection.ProxyRefreshing, 0);
            }
        }
    }

    private static readonly ReadOnlyMemory<byte> TokenExpiring = "{\"type\":\"token_expiring\"}"u8.ToArray();
}
