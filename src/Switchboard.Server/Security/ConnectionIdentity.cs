namespace Switchboard.Server.Security;

/// <summary>Who is on a connection: the user and what their credentials allow.</summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed record ConnectionIdentity
{
    /// <summary>The anonymous identity: no user, no roles.</summary>
    public static ConnectionIdentity Anonymous { get; } = new();

    /// <summary>The user id (<c>sub</c>), or <see langword="null"/> when anonymous.</summary>
    public string? UserId { get; init; }

    /// <summary>The user's roles.</summary>
    public IReadOnlySet<string> Roles { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The raw JSON object shown in presence (<c>info</c>), empty for none.</summary>
    public ReadOnlyMemory<byte> Info { get; init; }

    /// <summary>When the credentials expire, or <see langword="null"/> when they don't.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// The token's <c>channels</c> claim: the patterns this connection may subscribe within, or <see langword="null"/>
    /// when the token does not narrow subscriptions.
    /// </summary>
    public IReadOnlyList<Switchboard.Protocol.ChannelPattern>? AllowedChannels { get; init; }

    /// <summary>
    /// Every claim of the token as its JSON payload object (for claims Switchboard does not interpret, such as
    /// <c>username</c>), or an undefined element when the connection has no token. For a user signed in by the
    /// application, an object of the principal's claims: a string per claim type, an array when the type repeats.
    /// </summary>
    public System.Text.Json.JsonElement Claims { get; init; }

    /// <summary>
    /// The ASP.NET Core authentication scheme that signed the user in (<c>Cookies</c>, <c>Bearer</c>, ...), or
    /// <see langword="null"/> when the identity comes from a Switchboard token or the connection is anonymous.
    /// </summary>
    public string? AuthenticationScheme { get; init; }

    /// <summary>The application's user (<c>HttpContext.User</c>) when the application's authentication signed them in, else <see langword="null"/>.</summary>
    public System.Security.Claims.ClaimsPrincipal? Principal { get; init; }

    /// <summary>The application backend's connect <c>data</c> (raw JSON) sent in <c>welcome</c>, empty for none.</summary>
    internal ReadOnlyMemory<byte> WelcomeData { get; init; }

    /// <summary>Whether the application's backend let this connection in (its proxy refreshes it before <see cref="ExpiresAt"/>).</summary>
    internal bool FromProxy { get; init; }

    /// <summary>Whether a user is authenticated.</summary>
    public bool IsAuthenticated => UserId is not null;
}
