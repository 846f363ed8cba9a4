using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Server.Handlers;

namespace LiveUpdates;

/// <summary>The user of a connection, from the token's <c>sub</c>, <c>username</c> and <c>roles</c>.</summary>
public sealed record LiveUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("roles")] IReadOnlyCollection<string> Roles)
{
    /// <summary>The connection's user, or <see langword="null"/> when it has no token. Without a <c>username</c> claim the id stands in.</summary>
    public static LiveUser? From(HandlerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.UserId is { } id ? new LiveUser(id, ClaimedName(connection) ?? id, [.. connection.User.Roles]) : null;
    }

    // The seed's "username" claim: Switchboard keeps every claim of the token it validated.
    private static string? ClaimedName(HandlerConnection connection) =>
        connection.User.Claims is { ValueKind: JsonValueKind.Object } claims && claims.TryGetProperty("username", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;
}
