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

    public TokenExpiryMonitor(SwitchboardNode node, SecurityPolicy policy, IServiceProvider services, ILogger<TokenExpiryMonitor> logger)
    {
        // An application with ASP.NET Core authentication signs users in whose tickets expire like tokens.
        _appSignIn = services.GetService(typeof(Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider)) is not null;
        _node = node;
        _policy = policy;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_policy.Tokens is null && !_appSignIn)
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

    private static readonly ReadOnlyMemory<byte> TokenExpiring = "{\"type\":\"token_expiring\"}"u8.ToArray();
}
