using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Client.Internal;
using Switchboard.Protocol;

namespace Switchboard.Client;

/// <summary>
/// A Switchboard client: one resilient connection that reconnects with backoff, resubscribes and recovers missed
/// publications, buffers commands while offline and sends each publish exactly once (with an idempotency key).
/// </summary>
/// <remarks>Thread safety: every public member may be called from many threads at once.</remarks>
public sealed partial class SwitchboardClient : IAsyncDisposable
{
    private const string Reflection = "Uses reflection-based JSON serialization; use the overload that takes a JsonTypeInfo for trimmed or AOT applications.";

    private readonly SwitchboardClientOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionLoop _loop;
    private readonly CommandTracker _commands;
    private readonly SubscriptionSet _subscriptions;
    private int _disposed;

    /// <summary>Creates a client. It does not connect until <see cref="ConnectAsync"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SwitchboardClient(SwitchboardClientOptions options, ILogger<SwitchboardClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _commands = new CommandTracker(options.OfflineBufferSize, options.OfflineBufferOverflow, options.CommandTimeout);
        _subscriptions = new SubscriptionSet(_commands, _logger);
        _loop = new ConnectionLoop(options, _logger, new Events(this), e => StateChanged?.Invoke(this, e));
    }

    /// <summary>The connection state.</summary>
    public ConnectionState State => _loop.State;

    /// <summary>Why the last connection ended, and whether the client reconnects; <see langword="null"/> before any disconnect.</summary>
    public DisconnectInfo? LastDisconnect => _loop.LastDisconnect;

    /// <summary>The connection id the server gave the current (or last) connection in <c>welcome</c>.</summary>
    public string? ClientId { get; private set; }

    /// <summary>
    /// The user the server authenticated the current (or last) connection as: <c>welcome</c>'s <c>user</c>, the
    /// token's <c>sub</c>; <see langword="null"/> for an anonymous connection or before the first <c>welcome</c>.
    /// </summary>
    public string? User { get; private set; }

    /// <summary>
    /// <c>welcome</c>'s <c>data</c> of the current (or last) connection: what the application's backend answered when
    /// it let the connection in (its connect call, docs/proxy.md), e.g. the user's display name or settings;
    /// <see langword="null"/> when the server sent none. <see cref="GetWelcomeData{T}(JsonTypeInfo{T})"/> reads it typed.
    /// </summary>
    public JsonElement? WelcomeData { get; private set; }

    /// <summary><see cref="WelcomeData"/> as a <typeparamref name="T"/>; <see langword="default"/> when there is none.</summary>
    /// <exception cref="JsonException">The data is not a <typeparamref name="T"/>.</exception>
    public T? GetWelcomeData<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return WelcomeData is { } data ? data.Deserialize(typeInfo) : default;
    }

    /// <summary>
    /// Raised on every state change, and before each retry (with <see cref="ConnectionStateChangedEventArgs.RetryIn"/>),
    /// on the client's connection loop (one at a time, in order): keep handlers short.
    /// </summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>
    /// Starts connecting (and reconnecting, per <see cref="SwitchboardClientOptions.Reconnect"/>) and waits until connected.
    /// </summary>
    /// <param name="cancellationToken">Stops the waiting, not the connecting: call <see cref="DisconnectAsync"/> for that.</param>
    /// <exception cref="SwitchboardConnectionException">The client gave up: a close it does not reconnect from (e.g. 1008,
    /// authentication failed) or its attempts ran out.</exception>
    public Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return _loop.ConnectAsync(cancellationToken);
    }

    /// <summary>Waits until the connection is in <paramref name="state"/>.</summary>
    public Task WaitForStateAsync(ConnectionState state, CancellationToken cancellationToken = default) =>
        _loop.WaitForStateAsync(state, cancellationToken);

    /// <summary>
    /// Closes the connection (close code 1000) and stops reconnecting. Commands waiting for a result or in the offline
    /// buffer fail with <see cref="SwitchboardConnectionException"/>. Subscriptions stay registered and resume on the
    /// next <see cref="ConnectAsync"/>.
    /// </summary>
    public async Task DisconnectAsync()
    {
        await _loop.StopAsync().ConfigureAwait(false);

        // Commands buffered before any ConnectAsync were not failed by a connection loop.
        _commands.FailAll(new DisconnectInfo(CloseCodes.Normal, "client disconnect", false));
    }

    /// <summary>
    /// Publishes <paramref name="data"/> to a channel. The publish carries a fresh idempotency key, so when the
    /// connection drops before its result, the client sends it again after reconnecting and the server publishes it
    /// once. While disconnected it waits in the offline buffer.
    /// </summary>
    /// <exception cref="SwitchboardCommandException">The server refused it (e.g. <c>forbidden</c>).</exception>
    /// <exception cref="SwitchboardBufferFullException">Offline and the buffer is full (per the overflow policy).</exception>
    /// <exception cref="TimeoutException">No result within <see cref="SwitchboardClientOptions.CommandTimeout"/>.</exception>
    public async Task<PublishResult> PublishAsync<T>(string channel, T data, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ValidateChannel(channel, allowWildcards: false);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var id = _commands.NextId();
        var key = Guid.NewGuid().ToString("N");
        var command = new PendingCommand(id, "publish", ClientCommands.Publish(id, channel, key, data, typeInfo), ResendPolicy.Resend);
        var result = await ExecuteAsync(command, null, cancellationToken).ConfigureAwait(false);
        return new PublishResult(ReplyReader.ReadPublish(result.Span));
    }

    /// <summary>Publishes a raw JSON value. See <see cref="PublishAsync{T}(string, T, JsonTypeInfo{T}, CancellationToken)"/>.</summary>
    public Task<PublishResult> PublishAsync(string channel, JsonElement data, CancellationToken cancellationToken = default) =>
        PublishAsync(channel, data, ClientJsonContext.Default.JsonElement, cancellationToken);

    /// <summary>Publishes with reflection-based serialization (<see cref="SwitchboardClientOptions.JsonSerializerOptions"/>).</summary>
    [RequiresUnreferencedCode(Reflection)]
    [RequiresDynamicCode(Reflection)]
    public Task<PublishResult> PublishAsync<T>(string channel, T data, CancellationToken cancellationToken = default) =>
        PublishAsync(channel, data, TypeInfo<T>(), cancellationToken);

    /// <summary>
    /// Subscribes to a channel or wildcard pattern and calls <paramref name="handler"/> for each publication, one at a
    /// time, in order, across reconnects (see <see cref="Subscription"/>). Returns once the server has confirmed;
    /// while offline it waits for the connection. A handler that throws is logged and the next publication follows.
    /// </summary>
    /// <exception cref="SwitchboardCommandException">The server refused (e.g. <c>forbidden</c>).</exception>
    /// <exception cref="InvalidOperationException">This client already has a subscription to <paramref name="channel"/>.</exception>
    public async Task<Subscription> SubscribeAsync<T>(string channel, Func<Publication<T>, CancellationToken, ValueTask> handler, JsonTypeInfo<T> typeInfo, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = await AddSubscriptionAsync(channel, typeInfo, options, cancellationToken).ConfigureAwait(false);
        subscription.StartPump(handler);
        return subscription;
    }

    /// <summary>Subscribes with raw JSON data. See <see cref="SubscribeAsync{T}(string, Func{Publication{T}, CancellationToken, ValueTask}, JsonTypeInfo{T}, SubscribeOptions?, CancellationToken)"/>.</summary>
    public Task<Subscription> SubscribeAsync(string channel, Func<Publication<JsonElement>, CancellationToken, ValueTask> handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default) =>
        SubscribeAsync(channel, handler, ClientJsonContext.Default.JsonElement, options, cancellationToken);

    /// <summary>Subscribes with reflection-based deserialization (<see cref="SwitchboardClientOptions.JsonSerializerOptions"/>).</summary>
    [RequiresUnreferencedCode(Reflection)]
    [RequiresDynamicCode(Reflection)]
    public Task<Subscription> SubscribeAsync<T>(string channel, Func<Publication<T>, CancellationToken, ValueTask> handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default) =>
        SubscribeAsync(channel, handler, TypeInfo<T>(), options, cancellationToken);

    /// <summary>
    /// Subscribes to a channel for as long as the enumeration runs: yields each publication once, in order, across
    /// reconnects (see <see cref="Subscription"/>), and unsubscribes when the enumeration ends.
    /// </summary>
    public async IAsyncEnumerable<Publication<T>> StreamAsync<T>(string channel, JsonTypeInfo<T> typeInfo, SubscribeOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var subscription = await AddSubscriptionAsync(channel, typeInfo, options, cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var publication in subscription.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return publication;
            }
        }
        finally
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            subscription.CompleteFromQueue();
        }
    }

    /// <summary>Streams raw JSON data. See <see cref="StreamAsync{T}(string, JsonTypeInfo{T}, SubscribeOptions?, CancellationToken)"/>.</summary>
    public IAsyncEnumerable<Publication<JsonElement>> StreamAsync(string channel, SubscribeOptions? options = null, CancellationToken cancellationToken = default) =>
        StreamAsync(channel, ClientJsonContext.Default.JsonElement, options, cancellationToken);

    /// <summary>
    /// Reads a channel's history: the retained publications, oldest first, and the channel's position. The server
    /// answers in pages that fit the connection's outgoing queue (<c>"more": true</c> when later ones follow); this
    /// reads page after page with <c>since</c> until it has them all (or <see cref="HistoryOptions.Limit"/> of them).
    /// </summary>
    public async Task<HistoryResult<T>> HistoryAsync<T>(string channel, JsonTypeInfo<T> typeInfo, HistoryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateChannel(channel, allowWildcards: false);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var publications = new List<Publication<T>>();
        var since = options?.Since;
        var limit = options?.Limit;
        while (true)
        {
            var id = _commands.NextId();
            var command = new PendingCommand(id, "history", ClientCommands.History(id, channel, limit, since), ResendPolicy.Resend);
            var result = await ExecuteAsync(command, null, cancellationToken).ConfigureAwait(false);
            var reply = ReplyReader.ReadHistory(result.Span, channel);
            publications.AddRange(reply.Publications.Select(p => PublicationReader.Read(p, typeInfo, followsGap: false)));
            if (!reply.More || reply.Publications.Count == 0 || (limit is { } n && (limit = n - reply.Publications.Count) <= 0))
            {
                // A later page that cannot be served in full (the stream moved on meanwhile) reports what the first did not.
                return new HistoryResult<T>(publications, reply.Position, reply.Complete);
            }

            var last = reply.Publications[^1];
            since = new StreamPosition(last.Offset, last.Epoch);
        }
    }

    /// <summary>Reads a channel's history as raw JSON.</summary>
    public Task<HistoryResult<JsonElement>> HistoryAsync(string channel, HistoryOptions? options = null, CancellationToken cancellationToken = default) =>
        HistoryAsync(channel, ClientJsonContext.Default.JsonElement, options, cancellationToken);

    /// <summary>Lists the subscribers of a channel.</summary>
    public async Task<IReadOnlyList<PresenceClient>> PresenceAsync(string channel, CancellationToken cancellationToken = default)
    {
        ValidateChannel(channel, allowWildcards: false);
        var id = _commands.NextId();
        var command = new PendingCommand(id, "presence", ClientCommands.Presence(id, channel), ResendPolicy.Resend);
        var result = await ExecuteAsync(command, null, cancellationToken).ConfigureAwait(false);
        return [.. ReplyReader.ReadPresence(result.Span).Select(PublicationReader.PresenceClient)];
    }

    /// <summary>
    /// Calls a server rpc method. An rpc waits in the offline buffer while disconnected, but one already sent when the
    /// connection drops fails with <see cref="SwitchboardConnectionException"/> rather than being sent again: it may have run.
    /// </summary>
    /// <param name="method">The method name.</param>
    /// <param name="parameters">The <c>params</c>.</param>
    /// <param name="parametersType">How to serialize <paramref name="parameters"/>.</param>
    /// <param name="resultType">How to deserialize the result.</param>
    /// <param name="timeout">How long to wait for the result; default <see cref="SwitchboardClientOptions.CommandTimeout"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="SwitchboardCommandException">The server answered with an error (e.g. <c>not_found</c>).</exception>
    /// <exception cref="TimeoutException">No result in time.</exception>
    public async Task<TResult?> RpcAsync<TParams, TResult>(string method, TParams parameters, JsonTypeInfo<TParams> parametersType, JsonTypeInfo<TResult> resultType, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(resultType);
        var id = _commands.NextId();
        var command = new PendingCommand(id, "rpc", ClientCommands.Rpc(id, method, parameters, parametersType), ResendPolicy.FailIfSent);
        var result = await ExecuteAsync(command, timeout, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(result.Span, resultType);
    }

    /// <summary>Calls a server rpc method without parameters. See <see cref="RpcAsync{TParams, TResult}"/>.</summary>
    public async Task<TResult?> RpcAsync<TResult>(string method, JsonTypeInfo<TResult> resultType, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(resultType);
        var id = _commands.NextId();
        var command = new PendingCommand(id, "rpc", ClientCommands.Rpc<object?>(id, method, null, null), ResendPolicy.FailIfSent);
        var result = await ExecuteAsync(command, timeout, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(result.Span, resultType);
    }

    /// <summary>Calls a server rpc method with raw JSON parameters and result.</summary>
    public Task<JsonElement> RpcAsync(string method, JsonElement parameters, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RpcAsync(method, parameters, ClientJsonContext.Default.JsonElement, ClientJsonContext.Default.JsonElement, timeout, cancellationToken);

    /// <summary>Calls a server rpc method with reflection-based serialization.</summary>
    [RequiresUnreferencedCode(Reflection)]
    [RequiresDynamicCode(Reflection)]
    public Task<TResult?> RpcAsync<TResult>(string method, object? parameters = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        parameters is null
            ? RpcAsync(method, TypeInfo<TResult>(), timeout, cancellationToken)
            : RpcAsync(method, parameters, TypeInfo<object>(), TypeInfo<TResult>(), timeout, cancellationToken);

    /// <summary>Disconnects (see <see cref="DisconnectAsync"/>) and ends every subscription.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await DisconnectAsync().ConfigureAwait(false);
        _subscriptions.CompleteAll();
        _loop.Dispose();
    }

    [RequiresUnreferencedCode(Reflection)]
    [RequiresDynamicCode(Reflection)]
    private JsonTypeInfo<T> TypeInfo<T>()
    {
        var options = _options.JsonSerializerOptions ?? JsonSerializerOptions.Web;
        options.MakeReadOnly(populateMissingResolver: true);
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Sends a command now, or buffers it while offline, and waits for its result body.</summary>
    private Task<ReadOnlyMemory<byte>> ExecuteAsync(PendingCommand command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return _commands.ExecuteAsync(command, timeout, cancellationToken);
    }

    private async Task<TypedSubscription<T>> AddSubscriptionAsync<T>(string channel, JsonTypeInfo<T> typeInfo, SubscribeOptions? options, CancellationToken cancellationToken)
    {
        ValidateChannel(channel, allowWildcards: true);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var isWildcard = channel.Contains('*', StringComparison.Ordinal) || channel.Contains('>', StringComparison.Ordinal);
        var subscription = new TypedSubscription<T>(this, channel, isWildcard, options, typeInfo, _options.SubscriptionBufferSize, _logger);
        _subscriptions.Add(subscription);
        try
        {
            await subscription.FirstSubscribed.Task.WaitAsync(_options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _subscriptions.Remove(subscription);
            throw;
        }

        return subscription;
    }

    /// <summary>Unsubscribes: forgets the subscription here and tells the server when connected.</summary>
    internal ValueTask RemoveSubscriptionAsync(Subscription subscription)
    {
        _subscriptions.Remove(subscription);
        return ValueTask.CompletedTask;
    }

    private static void ValidateChannel(string channel, bool allowWildcards)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (ChannelName.Validate(channel, allowWildcards) is { } error)
        {
            throw new ArgumentException($"invalid channel '{channel}': {error}", nameof(channel));
        }
    }
}
