using System.Globalization;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// The key a publish's idempotency key is stored under, scoped by where it came from, so keys of different sources
/// never collide: a client's (by its user, or the anonymous scope), application code's and the HTTP API's (the server
/// scope), and each bridge's (by its name). Without it a client publishing <c>"key":"nats:INVOICES:5"</c> made the
/// NATS bridge drop JetStream message 5 as a duplicate.
/// </summary>
/// <remarks>
/// Every scope starts with its own tag, and a user id is written with its length, so no two (scope, key) pairs give
/// the same string. A user's keys stay the user's across reconnects (a resent publish is still recognised); anonymous
/// connections have no identity to tell them apart across a reconnect, so they share one scope. Thread safety: stateless.
/// </remarks>
internal static class IdempotencyScope
{
    /// <summary>The stored key of a client's publish.</summary>
    public static string? OfClient(PublisherInfo? from, string? key) => key switch
    {
        null => null,
        _ when from?.User is { } user => string.Concat("user:", user.Length.ToString(CultureInfo.InvariantCulture), ":", user, ":", key),
        _ => "anonymous:" + key,
    };

    /// <summary>The stored key of a publish by application code (<see cref="ISwitchboard"/>, the HTTP API).</summary>
    public static string? OfServer(string? key) => key is null ? null : "server:" + key;

    /// <summary>The stored key of a bridge's publish: <paramref name="key"/> already starts with the bridge's own prefix (e.g. <c>nats:</c>).</summary>
    public static string? OfBridge(string? key) => key is null ? null : "bridge:" + key;
}
