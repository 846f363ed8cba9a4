using Microsoft.Extensions.Logging;
using Switchboard.Protocol;

namespace Switchboard.Client.Internal;

/// <summary>
/// The connection state machine: connects, runs one connection until it ends, and reconnects with backoff until
/// stopped or told not to (a close code that forbids it, attempts run out). It knows nothing of commands or
/// subscriptions: it reports connections and their messages to <see cref="IConnectionEvents"/>.
/// </summary>
/// <remarks>Thread safety: every member may be called from many threads; the loop itself runs on one task at a time.</remarks>
internal sealed class ConnectionLoop
{
    private readonly SwitchboardClientOptions _options;
    private readonly ILogger _logger;
    private readonly IConnectionEvents _events;
    private readonly Action<ConnectionStateChangedEventArgs> _raiseStateChanged;
    private readonly Lock _gate = new();

    // Guarded by _gate.
    private ClientConnection? _current;
    private ConnectionState _state = ConnectionState.Disconnected;
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DisconnectInfo? _lastDisconnect;
    private CancellationTokenSource? _stop;
    private Task _run = Task.CompletedTask;

    private int _generation;

    public ConnectionLoop(SwitchboardClientOptions options, ILogger logger, IConnectionEvents events, Action<ConnectionStateChangedEventArgs> raiseStateChanged)
    {
        _options = options;
        _logger = logger;
        _events = events;
        _raiseStateChanged = raiseStateChanged;
    }

    public ConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public DisconnectInfo? LastDisconnect
    {
        get
        {
            lock (_gate)
            {
                return _lastDisconnect;
            }
        }
    }

    /// <summary>Starts the loop unless it runs, and waits until connected.</summary>
    /// <exception cref="SwitchboardConnectionException">The loop stopped before connecting.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        Task run;
        lock (_gate)
        {
            if (_run.IsCompleted)
            {
                _stop?.Dispose();
                _stop = new CancellationTokenSource();
                var stop = _stop.Token;
                _run = Task.Run(() => RunAsync(stop), CancellationToken.None);
            }

            run = _run;
        }

        while (true)
        {
            var changed = StateChangedUnless(ConnectionState.Connected);
            if (changed is null)
            {
                return;
            }

            if (await Task.WhenAny(changed, run).WaitAsync(cancellationToken).ConfigureAwait(false) == run)
            {
                var last = LastDisconnect;
                throw new SwitchboardConnectionException($"could not connect: {last?.Reason ?? "stopped"}" + (last?.CloseCode is { } code ? $" (close {code})" : ""), last);
            }
        }
    }

    /// <summary>Waits until the state is <paramref name="state"/>.</summary>
    public async Task WaitForStateAsync(ConnectionState state, CancellationToken cancellationToken)
    {
        while (StateChangedUnless(state) is { } changed)
        {
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the loop: closes the current connection (1000) and waits for the loop to end.</summary>
    public async Task StopAsync()
    {
        CancellationTokenSource? stop;
        ClientConnection? connection;
        Task run;
        lock (_gate)
        {
            stop = _stop;
            connection = _current;
            run = _run;
        }

        if (stop is not null)
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }

        if (connection is not null)
        {
            await connection.CloseAsync(CloseCodes.Normal, "client disconnect", TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        await run.ConfigureAwait(false);
    }

    /// <summary>Releases the stop source once the loop has ended for good.</summary>
    public void Dispose()
    {
        CancellationTokenSource? stop;
        lock (_gate)
        {
            stop = _stop;
            _stop = null; // A later StopAsync must not cancel a disposed source.
        }

        stop?.Dispose();
    }

    /// <summary>The task that completes on the next state change, or <see langword="null"/> when already in <paramref name="state"/>.</summary>
    private Task? StateChangedUnless(ConnectionState state)
    {
        lock (_gate)
        {
            return _state == state ? null : _stateChanged.Task;
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        var everConnected = false;
        DisconnectInfo? last = null;
        SetState(ConnectionState.Connecting, null, null, 0);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var (connection, close) = await ConnectOnceAsync(stop).ConfigureAwait(false);
                if (connection is not null)
                {
                    failures = 0;
                    everConnected = true;
                    close = await RunConnectionAsync(connection, stop).ConfigureAwait(false);
                }

                if (stop.IsCancellationRequested)
                {
                    break;
                }

                var reconnect = close!.Code is not { } code || CloseCodes.ShouldReconnect(code);
                if (reconnect && _options.Reconnect.MaxAttempts is { } max && failures >= max)
                {
                    reconnect = false;
                    Log.GaveUp(_logger, failures);
                }

                last = new DisconnectInfo(close.Code, close.Reason, reconnect);
                lock (_gate)
                {
                    _lastDisconnect = last;
                    _current = null;
                }

                if (connection is not null)
                {
                    _events.OnConnectionLost(last);
                    Log.ConnectionLost(_logger, connection.Generation, close.Code, close.Reason, reconnect);
                }

                if (!reconnect)
                {
                    break;
                }

                var delay = _options.Reconnect.GetDelay(failures, Random.Shared.NextDouble());
                if (connection is null)
                {
                    Log.AttemptFailed(_logger, failures, close.Reason, (long)delay.TotalMilliseconds);
                }

                SetState(everConnected ? ConnectionState.Reconnecting : ConnectionState.Connecting, last, delay, failures);
                failures++;
                await Task.Delay(delay, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // StopAsync.
        }

        var final = stop.IsCancellationRequested ? new DisconnectInfo(CloseCodes.Normal, "client disconnect", false) : last;
        lock (_gate)
        {
            _lastDisconnect = final;
            _current = null;
        }

        _events.OnStopped(final);
        SetState(ConnectionState.Disconnected, final, null, failures);
    }

    /// <summary>Makes <paramref name="connection"/> current and waits until it ends.</summary>
    private async Task<CloseInfo> RunConnectionAsync(ClientConnection connection, CancellationToken stop)
    {
        lock (_gate)
        {
            _current = connection;
        }

        _events.OnConnected(connection);
        SetState(ConnectionState.Connected, null, null, 0);

        // A StopAsync that ran before this connection became current did not see it: close it here.
        CloseInfo close;
        using (stop.Register(static state => _ = ((ClientConnection)state!).CloseAsync(CloseCodes.Normal, "client disconnect", TimeSpan.FromSeconds(2)), connection))
        {
            close = await connection.Completion.ConfigureAwait(false);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return close;
    }

    /// <summary>One attempt: token, upgrade, <c>welcome</c>. Returns the running connection, or why it failed.</summary>
    private async Task<(ClientConnection? Connection, CloseInfo? Close)> ConnectOnceAsync(CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.ConnectTimeout);
        ClientConnection? connection = null;
        try
        {
            string? token = null;
            if (_options.TokenProvider is { } provider)
            {
                // WaitAsync: a provider that ignores its token must not hold the attempt past ConnectTimeout, nor
                // DisconnectAsync and DisposeAsync for ever.
                token = await provider(timeout.Token).AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
            }

            connection = await ClientConnection.OpenAsync(BuildUri(), token, Interlocked.Increment(ref _generation), timeout.Token).ConfigureAwait(false);
            connection.Token = token;
            connection.Start(_events.OnMessageAsync, _options.HeartbeatTimeout);
            var welcome = connection.Welcome;
            if (await Task.WhenAny(welcome, connection.Completion).WaitAsync(timeout.Token).ConfigureAwait(false) != welcome || !welcome.IsCompletedSuccessfully)
            {
                // Closed before welcome: e.g. 1008 for a rejected token.
                var close = await connection.Completion.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                return (null, close);
            }

            return (connection, null);
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            if (stop.IsCancellationRequested)
            {
                throw new OperationCanceledException(stop);
            }

            if (ex is OperationCanceledException)
            {
                return (null, new CloseInfo(null, "connect timed out"));
            }

            if (ex is not (System.Net.WebSockets.WebSocketException or System.Net.Http.HttpRequestException or IOException or TimeoutException))
            {
                Log.AttemptFailedUnexpectedly(_logger, ex);
            }

            return (null, new CloseInfo(null, ex.Message));
        }
    }

    private Uri BuildUri()
    {
        var url = _options.Url!;
        var parameters = new List<string>(2);
        if (_options.Batch)
        {
            parameters.Add("batch=1");
        }

        if (_options.ConnectData is { } data)
        {
            parameters.Add("data=" + Uri.EscapeDataString(data.GetRawText()));
        }

        if (parameters.Count == 0)
        {
            return url;
        }

        var builder = new UriBuilder(url);
        var query = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', query.Length == 0 ? parameters : parameters.Prepend(query));
        return builder.Uri;
    }

    private void SetState(ConnectionState state, DisconnectInfo? disconnect, TimeSpan? retryIn, int attempt)
    {
        ConnectionState previous;
        TaskCompletionSource changed;
        lock (_gate)
        {
            previous = _state;
            if (previous == state && retryIn is null)
            {
                return;
            }

            _state = state;
            changed = _stateChanged;
            _stateChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        try
        {
            _raiseStateChanged(new ConnectionStateChangedEventArgs(previous, state, disconnect, retryIn, attempt));
        }
        catch (Exception ex)
        {
            Log.StateHandlerFailed(_logger, ex);
        }
    }
}
