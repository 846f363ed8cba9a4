namespace Switchboard.Server.Security;

/// <summary>
/// Security settings of a Switchboard server: authentication, channel permission rules, limits and allowed origins.
/// Bound from the same <c>Switchboard</c> configuration section as <see cref="SwitchboardOptions"/>
/// (<c>Switchboard:Auth</c>, <c>Switchboard:Channels</c>, <c>Switchboard:Limits</c>, <c>Switchboard:AllowedOrigins</c>)
/// and validated at start.
/// </summary>
/// <remarks>
/// With nothing configured here the server runs in open development mode: anonymous clients, every valid channel
/// allowed, and only the limits set explicitly. See docs/security.md.
/// </remarks>
public sealed class SwitchboardSecurityOptions
{
    /// <summary>Token authentication.</summary>
    public SwitchboardAuthOptions Auth { get; set; } = new();

    /// <summary>
    /// Channel permission rules, in order; the first rule whose pattern matches a channel decides. A channel that matches
    /// no rule is forbidden. Empty: every channel is open (development mode), or open to authenticated users when a
    /// token key is configured.
    /// </summary>
    public List<ChannelRule> Channels { get; set; } = [];

    /// <summary>Connection, rate and abuse limits.</summary>
    public SwitchboardLimitOptions Limits { get; set; } = new();

    /// <summary>
    /// Origins (e.g. <c>https://app.example.com</c>) whose pages may open a WebSocket. An upgrade request with an
    /// <c>Origin</c> header not in the list gets HTTP 403. Empty: every origin. Requests without an <c>Origin</c>
    /// header (non-browser clients) are not affected. <c>*</c> allows every origin.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Whether a key to validate tokens with is configured.</summary>
    public bool HasAuthKey => Auth.HasKey;

    /// <summary>
    /// Whether the server runs in open development mode: no token key, no channel rules and no explicit
    /// <see cref="SwitchboardAuthOptions.AllowAnonymous"/>.
    /// </summary>
    public bool IsOpenDevelopmentMode => !HasAuthKey && Channels.Count == 0 && Auth.AllowAnonymous != true;
}

/// <summary>Token (JWT) authentication settings, section <c>Switchboard:Auth</c>.</summary>
public sealed class SwitchboardAuthOptions
{
    /// <summary>The HS256 shared secret (at least 32 bytes of UTF-8). Enables HS256.</summary>
    public string? Secret { get; set; }

    /// <summary>A PEM public key (RSA enables RS256, EC P-256 enables ES256).</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>A file holding a PEM public key, as <see cref="PublicKeyPem"/>.</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>A JWKS file (<c>{"keys":[...]}</c>) with RSA and/or EC P-256 public keys, matched by <c>kid</c>.</summary>
    public string? JwksFile { get; set; }

    /// <summary>The required <c>iss</c>, when set.</summary>
    public string? Issuer { get; set; }

    /// <summary>The required <c>aud</c>, when set.</summary>
    public string? Audience { get; set; }

    /// <summary>How far <c>exp</c> and <c>nbf</c> may be off because clocks differ. Default 30 s.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether tokens must carry <c>exp</c>. Default <see langword="true"/>.</summary>
    public bool RequireExpiration { get; set; } = true;

    /// <summary>
    /// Whether clients without a token are let in as anonymous users (their rights come from the channel rules).
    /// Also the explicit "yes, run without keys" switch that lets a Production server start without a token key.
    /// </summary>
    public bool? AllowAnonymous { get; set; }

    /// <summary>How long a client that connected without a token has to send <c>auth</c>. Default 10 s.</summary>
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long before a connection's token expires the server sends <c>token_expiring</c>. Default 30 s.</summary>
    public TimeSpan TokenExpiringAhead { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest token accepted, in characters. Default 8192.</summary>
    public int MaxTokenLength { get; set; } = 8192;

    /// <summary>Whether any key to validate tokens with is configured.</summary>
    public bool HasKey =>
        !string.IsNullOrEmpty(Secret) || !string.IsNullOrWhiteSpace(PublicKeyPem) || !string.IsNullOrWhiteSpace(PublicKeyFile) || !string.IsNullOrWhiteSpace(JwksFile);
}

/// <summary>
/// One channel permission rule, an entry of <c>Switchboard:Channels</c>. Each right is one of <c>anyone</c>,
/// <c>authenticated</c>, <c>role:NAME</c>, <c>user</c> (the channel names the user: the <c>{sub}</c> segment of
/// <see cref="Pattern"/> equals the token's <c>sub</c>) or <c>none</c> (the server only). A right left empty is
/// <c>none</c>.
/// </summary>
public sealed class ChannelRule
{
    /// <summary>The channels the rule covers: a channel pattern (<c>*</c>, <c>&gt;</c>) whose segments may be <c>{sub}</c>, which matches one segment.</summary>
    public string Pattern { get; set; } = string.Empty;

    /// <summary>Who may subscribe.</summary>
    public string? Subscribe { get; set; }

    /// <summary>Who may publish.</summary>
    public string? Publish { get; set; }

    /// <summary>Who may list presence.</summary>
    public string? Presence { get; set; }

    /// <summary>Who may read history.</summary>
    public string? History { get; set; }
}

/// <summary>
/// Limits, section <c>Switchboard:Limits</c>. A value left unset takes its default outside development mode and is off
/// in open development mode; 0 turns a limit off (<see cref="CommandBurst"/> 0 is its default). The frame size and
/// subscriptions per connection are <see cref="SwitchboardOptions.MaxMessageSize"/> and
/// <see cref="SwitchboardOptions.MaxSubscriptionsPerConnection"/>, which apply in every mode, open development mode included.
/// </summary>
public sealed class SwitchboardLimitOptions
{
    /// <summary>Open connections on this node; more are closed with 1013. Default 100,000.</summary>
    public int? MaxConnections { get; set; }

    /// <summary>Open connections per user (<c>sub</c>) on this node; more are closed with 1013. Default 100.</summary>
    public int? MaxConnectionsPerUser { get; set; }

    /// <summary>Open connections per client IP address on this node; more are closed with 1013. Default 1,000.</summary>
    public int? MaxConnectionsPerIp { get; set; }

    /// <summary>Connections waiting to authenticate; more are closed with 1013. Default 1,000.</summary>
    public int? MaxPendingConnections { get; set; }

    /// <summary>Commands per second per connection (the token bucket's refill rate); excess ones get <c>rate_limited</c>. Default 100.</summary>
    public int? CommandsPerSecond { get; set; }

    /// <summary>The token bucket's size: how many commands a connection may send at once. Default 2 x <see cref="CommandsPerSecond"/>.</summary>
    public int? CommandBurst { get; set; }

    /// <summary>How many <c>rate_limited</c> commands within <see cref="AbuseWindow"/> close the connection with 4004. Default 100.</summary>
    public int? AbuseThreshold { get; set; }

    /// <summary>The window <see cref="AbuseThreshold"/> counts in. Default 10 s.</summary>
    public TimeSpan AbuseWindow { get; set; } = TimeSpan.FromSeconds(10);
}
