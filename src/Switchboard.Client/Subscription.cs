using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchboard.Protocol;

namespace Switchboard.Client;

/// <summary>
/// A subscription to a channel (or a wildcard pattern) that survives reconnects: after each reconnect the client
/// subscribes again with <c>since</c> set to the last position it delivered, delivers the missed publications first,
/// and drops any it has already delivered, so a handler sees each publication once, in offset order. When the server
/// cannot recover (<see cref="Recovered"/> is <see langword="false"/>), the next publication has
/// <see cref="Publication{T}.FollowsGap"/> set. Dispose it to unsubscribe.
/// </summary>
/// <remarks>Thread safety: every member may be called from any thread.</remarks>
public abstract class Subscription : IAsyncDisposable
{
    private readonly Lock _sync = new();
    private readonly SwitchboardClient _client;
    private StreamPosition? _position;
    private bool _gapPending;
    private bool _recovering;
    private bool? _recovered;
    private Dictionary<string, StreamPosition>? _wildcardPositions;
    private readonly Action<PresenceChangedEventArgs>? _onPresence;
    private JsonElement? _data;

    private protected Subscription(SwitchboardClient client, string channel, bool isWildcard, SubscribeOptions? options)
    {
        _client = client;
        Channel = channel;
        IsWildcard = isWildcard;
        _position = options?.Since;
        StartsFrom = options?.Since;
        _onPresence = options?.OnPresence;
        Pattern = isWildcard ? ChannelPattern.Parse(channel) : null;
    }

    /// <summary>The channel or pattern.</summary>
    public string Channel { get; }

    /// <summary>Whether <see cref="Channel"/> is a wildcard pattern. Wildcard subscriptions receive publications but
    /// cannot recover missed ones across reconnects (the protocol has no history for patterns).</summary>
    public bool IsWildcard { get; }

    /// <summary>The position of the last publication handed to the application (or of the channel's end when
    /// subscribed), which the next resubscribe recovers from. <see langword="null"/> for wildcard subscriptions.</summary>
    public StreamPosition? Position
    {
        get
        {
            lock (_sync)
            {
                return IsWildcard ? null : _position;
            }
        }
    }

    /// <summary>The outcome of the last resubscribe (or of a subscribe with <see cref="SubscribeOptions.Since"/>);
    /// <see langword="null"/> before any.</summary>
    public bool? Recovered
    {
        get
        {
            lock (_sync)
            {
                return _recovered;
            }
        }
    }

    /// <summary>
    /// The <c>data</c> of the last subscribe result: what the application's backend sent with its allow (its subscribe
    /// call, docs/proxy.md), e.g. the state of the order just subscribed to; <see langword="null"/> when none came.
    /// Each resubscribe replaces it. <see cref="GetData{T}(JsonTypeInfo{T})"/> reads it typed.
    /// </summary>
    public JsonElement? Data
    {
        get
        {
            lock (_sync)
            {
                return _data;
            }
        }
    }

    /// <summary><see cref="Data"/> as a <typeparamref name="T"/>; <see langword="default"/> when there is none.</summary>
    /// <exception cref="JsonException">The data is not a <typeparamref name="T"/>.</exception>
    public T? GetData<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return Data is { } data ? data.Deserialize(typeInfo) : default;
    }

    /// <summary>Raised after each resubscribe on a new connection, on the client's receive loop: keep handlers short.
    /// The publications it recovered are queued for the handler before it is raised.</summary>
    public event EventHandler<ResubscribedEventArgs>? Resubscribed;

    /// <summary>Completes when the subscription ends: unsubscribed, the client disposed, or the server refused to
    /// resubscribe (then it fails with a <see cref="SwitchboardCommandException"/>).</summary>
    public abstract Task Completion { get; }

    internal StreamPosition? StartsFrom { get; }

    internal bool WantsPresence => _onPresence is not null;

    internal ChannelPattern? Pattern { get; }

    internal TaskCompletionSource FirstSubscribed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal bool EverSubscribed { get; private set; }

    /// <summary>Unsubscribes. Publications already received are still delivered to the handler.</summary>
    public ValueTask UnsubscribeAsync() => _client.RemoveSubscriptionAsync(this);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => UnsubscribeAsync();

    /// <summary>The position to send as <c>since</c>, if any.</summary>
    internal StreamPosition? SinceForSubscribe()
    {
        lock (_sync)
        {
            return IsWildcard ? null : _position;
        }
    }

    /// <summary>Handles a successful <c>result</c> of subscribe. Runs on the receive loop, before the messages after it.</summary>
    internal async ValueTask OnSubscribedAsync(SubscribeReply reply, bool sentSince)
    {
        var data = reply.Data.IsEmpty ? (JsonElement?)null : JsonElement.Parse(reply.Data.Span);
        lock (_sync)
        {
            _recovering = false; // Live publications from here on follow this result.
            _data = data;
        }

        var resubscribe = EverSubscribed;
        EverSubscribed = true;
        if (IsWildcard)
        {
            if (resubscribe)
            {
                MarkGap(recovered: false);
                Resubscribed?.Invoke(this, new ResubscribedEventArgs(false, 0, null));
            }

            return;
        }

        var position = reply.Position ?? new StreamPosition(0, "");
        if (!sentSince)
        {
            lock (_sync)
            {
                _position = position;
            }

            return;
        }

        var recovered = reply.Recovered == true;
        if (recovered)
        {
            foreach (var publication in reply.Publications)
            {
                await OnPublicationAsync(publication).ConfigureAwait(false);
            }

            lock (_sync)
            {
                if (_position is not { } current || current.Epoch != position.Epoch || current.Offset < position.Offset)
                {
                    _position = position;
                }

                _recovered = true;
            }
        }
        else
        {
            lock (_sync)
            {
                _position = position;
            }

            MarkGap(recovered: false);
        }

        if (resubscribe || StartsFrom is not null)
        {
            Resubscribed?.Invoke(this, new ResubscribedEventArgs(recovered, recovered ? reply.Publications.Count : 0, position));
        }
    }

    /// <summary>Marks that a subscribe to recover the stream is about to be sent; <see langword="false"/> when one is
    /// already in flight (its result clears the mark), so that a second one does not get "already subscribed".</summary>
    internal bool TryBeginRecovery()
    {
        lock (_sync)
        {
            if (_recovering)
            {
                return false;
            }

            _recovering = true;
            return true;
        }
    }

    /// <summary>Handles a publication recovered in a subscribe result: drops one already delivered, queues the rest.</summary>
    internal ValueTask OnPublicationAsync(Protocol.Publication publication) => OnPublicationAsync(publication, live: false, out _);

    /// <summary>
    /// Handles a publication: drops one already delivered, queues the rest for the handler. A live one that does not
    /// follow the last one delivered (an offset skipped within the epoch, or another epoch) is not delivered:
    /// <paramref name="discontinuity"/> tells the caller to subscribe again from the last position, whose result
    /// recovers what was skipped (or says it cannot, and then the next publication has <see cref="Publication{T}.FollowsGap"/>).
    /// Until that result, live publications are dropped (the recovery brings them). A wildcard subscription cannot
    /// recover, so there the publication after a hole in one of its channels is delivered with <c>FollowsGap</c>.
    /// </summary>
    internal ValueTask OnPublicationAsync(Protocol.Publication publication, bool live, out bool discontinuity)
    {
        discontinuity = false;
        var offset = publication.Offset;
        var epoch = publication.Epoch;
        if (offset == 0)
        {
            // A server send (SendToUser, SendToConnection) to this channel's name: outside the stream, at most once.
            return EnqueueAsync(publication, followsGap: false);
        }

        bool gap;
        lock (_sync)
        {
            // A publication at or before the last delivered one of the same stream was delivered already: a recovery
            // overlapping live delivery, or the copy the server sends for an overlapping subscription (a channel and
            // a pattern that matches it). Offsets only grow within an epoch.
            if (!IsWildcard)
            {
                if (live && _recovering)
                {
                    return ValueTask.CompletedTask;
                }

                if (_position is { } last)
                {
                    if (last.Epoch == epoch && offset <= last.Offset)
                    {
                        return ValueTask.CompletedTask;
                    }

                    if (live && !Follows(last, offset, epoch))
                    {
                        _recovering = true;
                        discontinuity = true;
                        return ValueTask.CompletedTask;
                    }
                }

                _position = new StreamPosition(offset, epoch);
            }
            else
            {
                _wildcardPositions ??= new Dictionary<string, StreamPosition>(StringComparer.Ordinal);
                if (_wildcardPositions.TryGetValue(publication.Channel, out var last))
                {
                    if (last.Epoch == epoch && offset <= last.Offset)
                    {
                        return ValueTask.CompletedTask;
                    }

                    _gapPending |= live && !Follows(last, offset, epoch);
                }

                _wildcardPositions[publication.Channel] = new StreamPosition(offset, epoch);
            }

            gap = _gapPending;
            _gapPending = false;
        }

        return EnqueueAsync(publication, gap);
    }

    /// <summary>Whether a publication at <paramref name="offset"/> in <paramref name="epoch"/> comes right after
    /// <paramref name="last"/>. Offset 0 has seen nothing of any epoch, so offset 1 of whatever epoch follows it.</summary>
    private static bool Follows(StreamPosition last, long offset, string epoch) =>
        (last.Epoch == epoch && offset == last.Offset + 1) || (last.Offset == 0 && offset == 1);

    internal void OnPresence(bool joined, PresenceClient client) => _onPresence?.Invoke(new PresenceChangedEventArgs(joined, client));

    private void MarkGap(bool recovered)
    {
        lock (_sync)
        {
            _gapPending = true;
            _recovered = recovered;
        }
    }

    /// <summary>Deserializes and queues a publication for delivery; waits while the queue is full (backpressure).</summary>
    private protected abstract ValueTask EnqueueAsync(Protocol.Publication publication, bool followsGap);

    /// <summary>Ends delivery after what is queued; with <paramref name="error"/>, the consumer sees it.</summary>
    internal abstract void Complete(Exception? error);
}
