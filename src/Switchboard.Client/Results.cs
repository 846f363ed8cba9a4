using System.Text.Json;
using Switchboard.Protocol;

namespace Switchboard.Client;

/// <summary>The result of a publish.</summary>
/// <param name="Offset">The publication's offset (the first one's, when the server had seen its idempotency key).</param>
public readonly record struct PublishResult(long Offset);

/// <summary>What <see cref="SwitchboardClient.HistoryAsync{T}(string, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}, HistoryOptions?, CancellationToken)"/> reads.</summary>
public sealed class HistoryOptions
{
    /// <summary>At most this many: the newest, or with <see cref="Since"/> the oldest after it; <see langword="null"/> for all retained.</summary>
    public int? Limit { get; set; }

    /// <summary>Only the publications after this position.</summary>
    public StreamPosition? Since { get; set; }
}

/// <summary>The result of a history read.</summary>
/// <param name="Publications">The publications, oldest first.</param>
/// <param name="Position">The channel's current position: its last offset and epoch.</param>
/// <param name="Complete">With <see cref="HistoryOptions.Since"/>: whether every publication after it is included.</param>
public sealed record HistoryResult<T>(IReadOnlyList<Publication<T>> Publications, StreamPosition Position, bool Complete);

/// <summary>One subscriber of a channel, from a presence query.</summary>
/// <param name="Client">The connection id.</param>
/// <param name="User">The user id, or <see langword="null"/> when anonymous.</param>
/// <param name="Info">The user's presence info (an object, possibly empty).</param>
public sealed record PresenceClient(string Client, string? User, JsonElement Info);

/// <summary>How to subscribe.</summary>
public sealed class SubscribeOptions
{
    /// <summary>
    /// Start after this position rather than at the channel's current end: the server sends every retained
    /// publication after it first. <c>new StreamPosition(0, "")</c> starts at the beginning of the retained history.
    /// </summary>
    public StreamPosition? Since { get; set; }

    /// <summary>
    /// Called as other clients join or leave the channel (the server's <c>join</c> and <c>leave</c> events, asked for
    /// with <c>presence: true</c> when this is set). An option rather than an event on <see cref="Subscription"/>, so
    /// that no event can arrive before the handler is attached. Runs on the client's receive loop: keep it short.
    /// </summary>
    public Action<PresenceChangedEventArgs>? OnPresence { get; set; }
}

/// <summary>What <see cref="SubscribeOptions.OnPresence"/> gets: another client joined or left the channel.</summary>
public sealed class PresenceChangedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public PresenceChangedEventArgs(bool joined, PresenceClient client)
    {
        Joined = joined;
        Client = client;
    }

    /// <summary><see langword="true"/> for <c>join</c>, <see langword="false"/> for <c>leave</c>.</summary>
    public bool Joined { get; }

    /// <summary>The client that joined or left.</summary>
    public PresenceClient Client { get; }
}

/// <summary>The arguments of <see cref="Subscription.Resubscribed"/>.</summary>
public sealed class ResubscribedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public ResubscribedEventArgs(bool recovered, int missed, StreamPosition? position)
    {
        Recovered = recovered;
        Missed = missed;
        Position = position;
    }

    /// <summary>Whether every publication missed while disconnected was recovered. When <see langword="false"/>,
    /// some may be lost: reload state (the next publication delivered has <see cref="Publication{T}.FollowsGap"/> set).</summary>
    public bool Recovered { get; }

    /// <summary>How many missed publications the server sent back.</summary>
    public int Missed { get; }

    /// <summary>The channel's position after resubscribing (none for wildcard subscriptions).</summary>
    public StreamPosition? Position { get; }
}
