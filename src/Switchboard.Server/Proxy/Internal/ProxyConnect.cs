using System.Text;
using System.Text.Json;
using Switchboard.Protocol;
using Switchboard.Server.Security;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>What the backend's connect answer came to: the identity, or the close code and reason the client gets.</summary>
internal sealed record ProxyConnectOutcome(ConnectionIdentity? Identity, int CloseCode, string CloseReason);

/// <summary>
/// The connect call (docs/proxy.md): a client arriving without a token is whoever the backend says, from the forwarded
/// headers (its session cookie). <c>result</c> gives <c>user</c>, <c>roles</c>, <c>channels</c>, <c>expire_at</c> and
/// <c>data</c> (for <c>welcome</c>); an <c>error</c> closes with 1008, a <c>disconnect</c> with its code, a failure
/// with 1013 (try again later).
/// </summary>
/// <remarks>Thread safety: stateless; called by every connecting client.</remarks>
internal sealed class ProxyConnect(ProxyClient client)
{
    public bool IsEnabled => client.Options.Connect.IsEnabled;

    public SwitchboardProxyOptions Options => client.Options;

    /// <summary>Asks the backend who <paramref name="clientId"/> is; <paramref name="data"/> is the client's connect data (raw JSON, empty for none).</summary>
    public async Task<ProxyConnectOutcome> ConnectAsync(string clientId, ReadOnlyMemory<byte> data, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var outcome = await client.CallAsync(ProxyKind.Connect, client.Options.Connect.Url!, new ProxyRequest(clientId, null, null, data), headers, cancellationToken).ConfigureAwait(false);
        return Interpret(outcome, refreshed: null);
    }

    /// <summary>Asks the backend to extend <paramref name="identity"/> (the refresh call): the identity with its new <c>expire_at</c>, or how to close.</summary>
    public async Task<ProxyConnectOutcome> RefreshAsync(string clientId, ConnectionIdentity identity, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var outcome = await client.CallAsync(ProxyKind.Refresh, client.Options.Refresh.Url!, new ProxyRequest(clientId, identity.UserId, null), headers, cancellationToken).ConfigureAwait(false);
        return Interpret(outcome, identity);
    }

    private static ProxyConnectOutcome Interpret(ProxyOutcome outcome, ConnectionIdentity? refreshed)
    {
        if (outcome.DisconnectCode is { } code)
        {
            return new(null, code, outcome.DisconnectReason);
        }

        if (outcome.FailureReason is not null)
        {
            return new(null, CloseCodes.TryAgainLater, "the application's backend is not available, try again later");
        }

        if (outcome.Result is not { } result)
        {
            return new(null, CloseCodes.PolicyViolation, Truncate(outcome.Error?.Message ?? "refused by the application"));
        }

        var identity = refreshed is null ? IdentityOf(result) : RefreshedOf(refreshed, result);
        return identity is null
            ? new(null, CloseCodes.TryAgainLater, "the application's backend gave an invalid answer, try again later")
            : new(identity, 0, string.Empty);
    }

    /// <summary>The identity a connect <c>result</c> describes, or <see langword="null"/> when it is not the documented shape.</summary>
    private static ConnectionIdentity? IdentityOf(JsonElement result)
    {
        string? user = null;
        if (result.TryGetProperty("user", out var userElement) && userElement.ValueKind != JsonValueKind.Null)
        {
            if (userElement.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            user = userElement.GetString() is { Length: > 0 } named ? named : null;
        }

        var roles = new HashSet<string>(StringComparer.Ordinal);
        if (result.TryGetProperty("roles", out var rolesElement) && !TryStrings(rolesElement, role =>
            {
                roles.Add(role); // A duplicate is harmless.
                return role.Length > 0;
            }))
        {
            return null;
        }

        List<ChannelPattern>? channels = null;
        if (result.TryGetProperty("channels", out var channelsElement))
        {
            channels = [];
            if (!TryStrings(channelsElement, value =>
            {
                if (!ChannelPattern.TryParse(value, out var pattern, out _))
                {
                    return false;
                }

                channels.Add(pattern);
                return true;
            }))
            {
                return null;
            }
        }

        if (!TryExpiry(result, out var expires))
        {
            return null;
        }

        var data = result.TryGetProperty("data", out var dataElement) ? Encoding.UTF8.GetBytes(dataElement.GetRawText()) : default(ReadOnlyMemory<byte>);
        return new ConnectionIdentity { UserId = user, Roles = roles, AllowedChannels = channels, ExpiresAt = expires, WelcomeData = data, FromProxy = true, Claims = result.Clone() };
    }

    private static ConnectionIdentity? RefreshedOf(ConnectionIdentity identity, JsonElement result) =>
        TryExpiry(result, out var expires) ? identity with { ExpiresAt = expires } : null;

    private static bool TryExpiry(JsonElement result, out DateTimeOffset? expires)
    {
        expires = null;
        if (!result.TryGetProperty("expire_at", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var seconds) || seconds is < 0 or > 253402300799)
        {
            return false;
        }

        expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static bool TryStrings(JsonElement array, Func<string, bool> add)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !add(item.GetString()!))
            {
                return false;
            }
        }

        return true;
    }

    private static string Truncate(string reason) => Encoding.UTF8.GetByteCount(reason) <= 123 ? reason : reason[..Math.Min(reason.Length, 60)];
}
