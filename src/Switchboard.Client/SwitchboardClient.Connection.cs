using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Client.Internal;
using Switchboard.Protocol;

namespace Switchboard.Client;

// The connection loop: connect, run, and reconnect with backoff until stopped or told not to.
public sealed partial class SwitchboardClient
{
    private int _generation;

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
                var (connection, close) = await TryConnectAsync(stop).ConfigureAwait(false);
                if (connection is not null)
                {
                    failures = 0;
                    everConnected = true;
                    OnConnected(connection);

                    // A DisconnectAsync that ran before this connection became current did not see it: close it here.
                    using (stop.Register(static state => _ = ((ClientConnection)state!).CloseAsync(CloseCodes.Normal, "client disconnect", TimeSpan.FromSeconds(2)), connection))
                    {
                        close = await connection.Completion.ConfigureAwait(false);
                    }

                    await connection.DisposeAsync().ConfigureAwait(false);
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
                OnConnectionLost(last, connection is not null);
                if (connection is not null)
                {
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
            // DisconnectAsync.
        }

        var final = stop.IsCancellationRequested ? new DisconnectInfo(CloseCodes.Normal, "client disconnect", false) : last;
        lock (_gate)
        {
            _lastDisconnect = final;
        }

        FailAll(final);
        SetState(ConnectionState.Disconnected, final, null, failures);
    }

    /// <summary>One attempt: token, upgrade, <c>welcome</c>. Returns the running connection, or why it failed.</summary>
    private async Task<(ClientConnection? Connection, CloseInfo? Close)> TryConnectAsync(CancellationToken stop)
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
            connection.Start(OnMessageAsync, _options.HeartbeatTimeout);
            var welcome = connection.Welcome;
            if (await Task.WhenAny(welcome, connection.Completion).WaitAsync(timeout.Token).ConfigureAwait(false) != welcome || !welcome.IsCompletedSuccessfully)
            {
                // Closed before welcome: e.g. 1008 for a rejected token.
                var close = await connection.Completion.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                return (null, close);
            }

            Log.Connected(_logger, _options.Url!, ClientId ?? "", connection.Generation);
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
        if (!_options.Batch)
        {
            return url;
        }

        var builder = new UriBuilder(url);
        builder.Query = string.IsNullOrEmpty(builder.Query) || builder.Query == "?" ? "batch=1" : builder.Query.TrimStart('?') + "&batch=1";
        return builder.Uri;
    }

    /// <summary>Makes a new connection current: resubscribes every subscription, then sends the offline buffer in order.</summary>
    private void OnConnected(ClientConnection connection)
    {
        lock (_gate)
        {
            _connection = connection;

            // Subscriptions first, so that buffered publishes to a subscribed channel come after its recovered history.
            foreach (var subscription in _subscriptions.Values)
            {
                SendSubscribe(connection, subscription);
            }

            foreach (var command in _offline)
            {
                command.OfflineNode = null;
                command.Sent = true;
                connection.Send(command.Payload);
            }

            _offline.Clear();
        }

        SetState(ConnectionState.Connected, null, null, 0);
    }

    /// <summary>
    /// Handles the end of a connection (or of a failed attempt). Publishes and reads that were sent but not answered
    /// go back to the offline buffer in their original order (a publish is sent again with its key, so the server
    /// publishes it once); an rpc that was sent fails, since it may have run.
    /// </summary>
    private void OnConnectionLost(DisconnectInfo disconnect, bool wasConnected)
    {
        List<PendingCommand>? failed = null;
        List<PendingCommand>? forgotten = null;
        lock (_gate)
        {
            _lastDisconnect = disconnect;
            if (!wasConnected)
            {
                return;
            }

            _connection = null;
            var unanswered = new List<PendingCommand>();
            foreach (var command in _pending.Values)
            {
                if (command.Sent)
                {
                    unanswered.Add(command);
                }
            }

            unanswered.Sort(static (a, b) => a.Id.CompareTo(b.Id));
            var insertAt = _offline.First;
            foreach (var command in unanswered)
            {
                command.Sent = false;
                switch (command.Resend)
                {
                    case ResendPolicy.Resend:
                        // Ahead of anything buffered since: they were issued first.
                        command.OfflineNode = insertAt is null ? _offline.AddLast(command) : _offline.AddBefore(insertAt, command);
                        break;
                    case ResendPolicy.FailIfSent:
                        _pending.Remove(command.Id);
                        (failed ??= []).Add(command);
                        break;
                    default:
                        _pending.Remove(command.Id);
                        (forgotten ??= []).Add(command);
                        break;
                }
            }
        }

        foreach (var command in forgotten ?? [])
        {
            command.Completion.TrySetCanceled();
        }

        if (failed is not null)
        {
            foreach (var command in failed)
            {
                command.Completion.TrySetException(new SwitchboardConnectionException("the connection was lost before the rpc's result arrived; it may have run", disconnect));
            }
        }
    }

    /// <summary>Fails every waiting command when the client stops for good.</summary>
    private void FailAll(DisconnectInfo? disconnect)
    {
        List<PendingCommand> all;
        lock (_gate)
        {
            _connection = null;
            all = [.. _pending.Values];
            _pending.Clear();
            _offline.Clear();
        }

        var reason = disconnect?.Reason ?? "disconnected";
        foreach (var command in all)
        {
            command.OfflineNode = null;
            if (command.Resend == ResendPolicy.Forget)
            {
                command.Completion.TrySetCanceled(); // Nobody waits on a subscribe command itself.
            }
            else
            {
                command.Completion.TrySetException(new SwitchboardConnectionException($"the client is disconnected: {reason}", disconnect));
            }
        }
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
            StateChanged?.Invoke(this, new ConnectionStateChangedEventArgs(previous, state, disconnect, retryIn, attempt));
        }
        catch (Exception ex)
        {
            Log.StateHandlerFailed(_logger, ex);
        }
    }
}
