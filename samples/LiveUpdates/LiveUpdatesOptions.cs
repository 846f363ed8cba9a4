namespace LiveUpdates;

/// <summary>
/// The sample's own settings, section <c>LiveUpdates</c> (e.g. <c>--LiveUpdates:MessagesPerMinute=600</c>). An unknown
/// key or a value out of range stops the sample at start with the reason.
/// </summary>
public sealed class LiveUpdatesOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "LiveUpdates";

    /// <summary>
    /// How many messages one connection may send in a minute, on every endpoint (the seed's
    /// <c>max_messages_per_minute</c>); each one over gets <c>{"type":"error","message":"Rate limit exceeded"}</c>.
    /// Default 60, as in the seed. The seed's load test sends 10 a second from each client: run it with 600 or more.
    /// </summary>
    public int MessagesPerMinute { get; set; } = 60;

    /// <summary>How often every connection gets the JSON heartbeat's <c>{"type":"ping"}</c>. Default 30 s, as in the seed.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The NATS queue group of <see cref="NatsEventIntake"/>, so that each event is taken by one node. Default <c>live-updates</c>.</summary>
    public string NatsQueueGroup { get; set; } = "live-updates";

    /// <summary>Registers the options, bound from <see cref="Section"/> and validated at start.</summary>
    public static void Register(IServiceCollection services) => services
        .AddOptions<LiveUpdatesOptions>()
        .BindConfiguration(Section, binder => binder.ErrorOnUnknownConfiguration = true)
        .Validate(o => o.MessagesPerMinute >= 1, "LiveUpdates:MessagesPerMinute must be at least 1 (the messages one connection may send in a minute; default 60)")
        .Validate(o => o.HeartbeatInterval > TimeSpan.Zero && o.HeartbeatInterval <= TimeSpan.FromDays(1), "LiveUpdates:HeartbeatInterval must be a time span from 00:00:00.001 to 1.00:00:00 (default 00:00:30)")
        .Validate(o => !string.IsNullOrWhiteSpace(o.NatsQueueGroup), "LiveUpdates:NatsQueueGroup must not be empty (default live-updates)")
        .ValidateOnStart();
}
