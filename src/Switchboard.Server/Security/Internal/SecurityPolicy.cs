using Microsoft.Extensions.Options;

namespace Switchboard.Server.Security.Internal;

/// <summary>
/// The security settings resolved once at start: whether the server is open, the token validator, and the limits in
/// force (defaults apply outside open development mode; there, only explicit limits do).
/// </summary>
/// <remarks>Thread safety: immutable after construction.</remarks>
internal sealed class SecurityPolicy
{
    public const int DefaultMaxConnections = 100_000;
    public const int DefaultMaxConnectionsPerUser = 100;
    public const int DefaultMaxConnectionsPerIp = 1_000;
    public const int DefaultMaxPendingConnections = 1_000;
    public const int DefaultCommandsPerSecond = 100;
    public const int DefaultAbuseThreshold = 100;

    public SecurityPolicy(IOptions<SwitchboardSecurityOptions> options, ProviderKeys? provider = null)
    {
        var value = options.Value;
        Options = value;
        Auth = value.Auth;
        IsOpen = value.IsOpenDevelopmentMode;
        Tokens = value.HasAuthKey ? new TokenValidator(value.Auth, provider) : null;
        RequiresToken = Tokens is not null && value.Auth.AllowAnonymous != true;
        var limits = value.Limits;
        MaxConnections = Resolve(limits.MaxConnections, DefaultMaxConnections);
        MaxConnectionsPerUser = Resolve(limits.MaxConnectionsPerUser, DefaultMaxConnectionsPerUser);
        MaxConnectionsPerIp = Resolve(limits.MaxConnectionsPerIp, DefaultMaxConnectionsPerIp);
        MaxPendingConnections = Resolve(limits.MaxPendingConnections, DefaultMaxPendingConnections);
        CommandsPerSecond = Resolve(limits.CommandsPerSecond, DefaultCommandsPerSecond);
        CommandBurst = limits.CommandBurst is > 0 ? limits.CommandBurst.Value : CommandsPerSecond * 2;
        AbuseThreshold = Resolve(limits.AbuseThreshold, DefaultAbuseThreshold);
        AbuseWindow = limits.AbuseWindow;
        AnyOrigin = value.AllowedOrigins.Contains("*");
        AllowedOrigins = value.AllowedOrigins.Count == 0 || AnyOrigin
            ? null
            : new HashSet<string>(value.AllowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
    }

    public SwitchboardSecurityOptions Options { get; }

    public SwitchboardAuthOptions Auth { get; }

    /// <summary>Open development mode: nothing security-related configured.</summary>
    public bool IsOpen { get; }

    /// <summary>The token validator, or <see langword="null"/> when no key is configured (tokens are then refused).</summary>
    public TokenValidator? Tokens { get; }

    /// <summary>Whether a connection without a token must authenticate with <c>auth</c>.</summary>
    public bool RequiresToken { get; }

    /// <summary>0 = no limit, here and below.</summary>
    public int MaxConnections { get; }

    public int MaxConnectionsPerUser { get; }

    public int MaxConnectionsPerIp { get; }

    public int MaxPendingConnections { get; }

    public int CommandsPerSecond { get; }

    public int CommandBurst { get; }

    public int AbuseThreshold { get; }

    public TimeSpan AbuseWindow { get; }

    /// <summary>Whether <c>AllowedOrigins</c> says <c>*</c>: every origin, also for cookie sign-ins.</summary>
    public bool AnyOrigin { get; }

    /// <summary>The allowed origins, or <see langword="null"/> when none are listed.</summary>
    public IReadOnlySet<string>? AllowedOrigins { get; }

    private int Resolve(int? configured, int secureDefault) => configured switch
    {
        null => IsOpen ? 0 : secureDefault,
        < 0 => 0,
        { } explicitValue => explicitValue,
    };

    /// <summary>The channel authorizer the configuration asks for.</summary>
    public IChannelAuthorizer CreateAuthorizer()
    {
        if (IsOpen)
        {
            return new OpenChannelAuthorizer();
        }

        if (Options.Channels.Count > 0)
        {
            return new RuleChannelAuthorizer(Options.Channels);
        }

        // Keys but no rules: everything for authenticated users (anonymous ones get nothing); no keys but an explicit
        // AllowAnonymous: everything for anyone, as the operator asked for.
        var who = Options.HasAuthKey ? "authenticated" : "anyone";
        return new RuleChannelAuthorizer([new ChannelRule { Pattern = ">", Subscribe = who, Publish = who, Presence = who, History = who }]);
    }
}
