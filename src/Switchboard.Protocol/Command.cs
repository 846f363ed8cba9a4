namespace Switchboard.Protocol;

/// <summary>The commands a client can send.</summary>
public enum CommandType
{
    /// <summary><c>subscribe</c>: start receiving a channel's (or a pattern's) publications.</summary>
    Subscribe,
    /// <summary><c>unsubscribe</c>: stop receiving a channel's publications.</summary>
    Unsubscribe,
    /// <summary><c>publish</c>: publish data to a channel.</summary>
    Publish,
    /// <summary><c>history</c>: read a channel's retained publications.</summary>
    History,
    /// <summary><c>presence</c>: list a channel's subscribers.</summary>
    Presence,
    /// <summary><c>rpc</c>: call a method registered on the server.</summary>
    Rpc,
    /// <summary><c>ping</c>: ask for a <c>pong</c>.</summary>
    Ping,
    /// <summary><c>pong</c>: the answer to a server <c>ping</c>.</summary>
    Pong,
    /// <summary><c>refresh</c>: replace the connection's token before it expires.</summary>
    Refresh,
    /// <summary><c>auth</c>: authenticate with a token as the first message.</summary>
    Auth,
}

/// <summary>A parsed, validated client command. Fields not used by its <see cref="Type"/> are left empty.</summary>
/// <remarks>Thread safety: immutable after parsing.</remarks>
public sealed class Command
{
    /// <summary>The command's type.</summary>
    public required CommandType Type { get; init; }

    /// <summary>The command's id, when it has one; a command with an id gets exactly one reply.</summary>
    public CommandId? Id { get; init; }

    /// <summary>The channel (subscribe, unsubscribe, publish, history, presence). For subscribe, possibly a wildcard.</summary>
    public ChannelPattern? Channel { get; init; }

    /// <summary>The raw JSON of <c>data</c> (publish), exactly as sent.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>The idempotency key of a publish.</summary>
    public string? Key { get; init; }

    /// <summary>The stream position to recover or read from (subscribe, history).</summary>
    public StreamPosition? Since { get; init; }

    /// <summary>Whether a subscribe asks for join and leave events.</summary>
    public bool Presence { get; init; }

    /// <summary>The number of newest publications wanted (history).</summary>
    public int? Limit { get; init; }

    /// <summary>The rpc method name.</summary>
    public string? Method { get; init; }

    /// <summary>The raw JSON of the rpc <c>params</c>, empty when absent.</summary>
    public ReadOnlyMemory<byte> Params { get; init; }

    /// <summary>The token (auth, refresh).</summary>
    public string? Token { get; init; }

    /// <summary>The wire name of a command type.</summary>
    public static string TypeName(CommandType type) => type switch
    {
        CommandType.Subscribe => "subscribe",
        CommandType.Unsubscribe => "unsubscribe",
        CommandType.Publish => "publish",
        CommandType.History => "history",
        CommandType.Presence => "presence",
        CommandType.Rpc => "rpc",
        CommandType.Ping => "ping",
        CommandType.Pong => "pong",
        CommandType.Refresh => "refresh",
        CommandType.Auth => "auth",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
