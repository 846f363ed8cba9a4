using Switchboard.Protocol;

namespace Switchboard.Brokers;

/// <summary>
/// Moves publications between the nodes of a Switchboard cluster and keeps each channel's stream (offsets, epoch,
/// history, idempotency keys). One node holds one broker.
/// </summary>
/// <remarks>
/// Guarantees every implementation gives (checked by the shared broker conformance tests):
/// <list type="bullet">
/// <item>Offsets of a channel start at 1 and increase by one per publication within an epoch.</item>
/// <item>Publishes to a channel made one after another take their offsets in call order, also when each call is made
/// before the previous one has completed: the node does not wait for a publish's result before it hands the same
/// connection's next publish to the broker.</item>
/// <item>The handler receives one channel's publications in offset order, one at a time; it must not block.</item>
/// <item>Delivery to the handler may miss publications (e.g. while the link to the broker is down) and may repeat one;
/// the node notices a gap by offset and epoch, or by <see cref="IBrokerEventHandler.HandleDeliveryRestored"/>, and
/// fills it from history, which is why history lives in the broker.</item>
/// <item>A channel's stream may be forgotten (expired, swept, lost) while the node is subscribed; the next publication
/// then starts a new epoch at offset 1, and history after a position of the old epoch is incomplete (after offset 0:
/// complete from offset 1 of the new one). The node takes offset 1 of any epoch as following offset 0.</item>
/// </list>
/// Thread safety: every member may be called from many threads at once.
/// </remarks>
public interface IBroker
{
    /// <summary>Starts delivering publications to <paramref name="handler"/>. Called once, before any other member.</summary>
    ValueTask StartAsync(IBrokerEventHandler handler, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes to a channel: assigns the next offset, appends to history, and delivers to every node subscribed to
    /// the channel (this one included). A repeated idempotency key within the window returns the first position.
    /// </summary>
    ValueTask<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken);

    /// <summary>Makes this node receive the publications of a channel or pattern. Called when its first local subscriber arrives.</summary>
    ValueTask SubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken);

    /// <summary>Stops this node receiving a channel or pattern. Called when its last local subscriber leaves.</summary>
    ValueTask UnsubscribeAsync(ChannelPattern channel, CancellationToken cancellationToken);

    /// <summary>Reads a channel's stream position and, as asked, retained publications.</summary>
    ValueTask<HistoryResult> GetHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken);
}

/// <summary>Receives the publications a broker delivers to this node.</summary>
public interface IBrokerEventHandler
{
    /// <summary>Handles one publication. Must not block: it hands the encoded message to subscriber queues and returns.</summary>
    void HandlePublication(Publication publication);

    /// <summary>
    /// Says that delivery to this node was interrupted (e.g. its pub/sub link to the broker was lost) and works again,
    /// so publications may have been missed on any channel, also where no later publication would show a gap.
    /// Call it once the node's subscriptions are in place again. Must not block.
    /// </summary>
    void HandleDeliveryRestored()
    {
    }
}

/// <summary>How long and how many publications a channel keeps.</summary>
/// <param name="Size">The most publications kept; 0 keeps none (offsets still count).</param>
/// <param name="Ttl">How long each publication is kept.</param>
public readonly record struct HistoryPolicy(int Size, TimeSpan Ttl);

/// <summary>A publication to make.</summary>
/// <param name="Channel">The concrete channel.</param>
/// <param name="Data">The raw JSON value (already validated).</param>
/// <param name="From">The publisher, or <see langword="null"/> for the server.</param>
/// <param name="IdempotencyKey">The publish <c>key</c> as the node stores it, scoped by its source (a user's, anonymous, application code's, a bridge's: <c>user:5:alice:k-1</c>, <c>anonymous:k-1</c>, <c>server:k-1</c>, <c>bridge:nats:id:evt-1</c>), or <see langword="null"/>.</param>
/// <param name="History">How the channel keeps history.</param>
/// <param name="IdempotencyWindow">How long the key is remembered.</param>
public sealed record PublishRequest(string Channel, ReadOnlyMemory<byte> Data, PublisherInfo? From, string? IdempotencyKey, HistoryPolicy History, TimeSpan IdempotencyWindow);

/// <summary>The outcome of a publish.</summary>
/// <param name="Position">The publication's offset and epoch (the first one's, for a duplicate key).</param>
/// <param name="Duplicate">Whether the key had been seen and nothing was published.</param>
public readonly record struct PublishResult(StreamPosition Position, bool Duplicate);

/// <summary>What to read from a channel's history.</summary>
/// <param name="Since">Return the publications after this position (all of them, or none if that is not possible).</param>
/// <param name="Limit">At most this many: with <paramref name="Since"/> the oldest after it (a page forward), without it
/// the newest; <see langword="null"/> for all, 0 for none.</param>
public readonly record struct HistoryQuery(StreamPosition? Since, int? Limit);

/// <summary>The result of a history read.</summary>
/// <param name="Position">The channel's current position: the last offset published, and the epoch.</param>
/// <param name="Publications">The publications asked for, oldest first.</param>
/// <param name="Complete">With <see cref="HistoryQuery.Since"/>: whether <paramref name="Publications"/> holds every
/// publication after it (same epoch, nothing expired). Otherwise always <see langword="true"/>.</param>
public sealed record HistoryResult(StreamPosition Position, IReadOnlyList<Publication> Publications, bool Complete);
