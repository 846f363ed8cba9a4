using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests;

/// <summary>
/// The client side of token authentication against a scripted WebSocket endpoint, for what the real server does not
/// do on cue (closing with a chosen code, auth_required after a header token) and for providers that never answer.
/// The real secured server is in <see cref="SecureServerTokenTests"/>.
/// </summary>
public sealed class TokenTests
{
    private static readonly ReconnectPolicy FastRetry = new() { MinDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) };

    private static Func<CancellationToken, ValueTask<string?>> CountingProvider(Action onCall, Func<int> count) => _ =>
    {
        onCall();
        return ValueTask.FromResult<string?>($"t{count()}");
    };

    [Fact]
    public async Task A_token_rejected_with_1008_stops_reconnection()
    {
        await using var server = await ScriptedServer.StartAsync(c => c.CloseAsync(CloseCodes.PolicyViolation, "invalid token"));
        var calls = 0;
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            TokenProvider = CountingProvider(() => Interlocked.Increment(ref calls), () => calls),
            Reconnect = FastRetry,
        });

        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync().OrTimeout());
        Assert.Equal(CloseCodes.PolicyViolation, error.Disconnect!.CloseCode);
        Assert.Equal(ConnectionState.Disconnected, client.State);
        Assert.Equal(new DisconnectInfo(CloseCodes.PolicyViolation, "invalid token", false), client.LastDisconnect);
        Assert.Equal(1, calls);
        Assert.Equal(["Bearer t1"], server.Authorizations);
    }

    [Theory]
    [InlineData(CloseCodes.TokenExpired)]
    [InlineData(CloseCodes.InternalError)]
    public async Task Every_reconnect_asks_the_provider_for_a_fresh_token(int closeCode)
    {
        var connections = 0;
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            await c.SendWelcomeAsync();
            if (Interlocked.Increment(ref connections) == 1)
            {
                await c.CloseAsync(closeCode, "bye");
                return;
            }

            while (await c.ReceiveAsync() is not null)
            {
            }
        });
        var calls = 0;
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            TokenProvider = CountingProvider(() => Interlocked.Increment(ref calls), () => calls),
            Reconnect = FastRetry,
        });
        await client.ConnectAsync().OrTimeout();
        await Wait.UntilAsync(() => Volatile.Read(ref connections) == 2 && client.State == ConnectionState.Connected, "the second connection");
        Assert.Equal(closeCode, client.LastDisconnect!.CloseCode);
        Assert.Equal(["Bearer t1", "Bearer t2"], server.Authorizations);
    }

    [Fact]
    public async Task Token_expiring_calls_the_provider_and_the_connection_survives_the_refresh()
    {
        var refreshed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            await c.SendWelcomeAsync();
            await c.SendAsync("{\"type\":\"token_expiring\"}");
            while (await c.ReceiveAsync() is { } message)
            {
                var type = message["type"]!.GetValue<string>();
                var id = message["id"]?.ToJsonString();
                if (type == "refresh")
                {
                    refreshed.TrySetResult(message["token"]!.GetValue<string>());
                    await c.SendAsync($"{{\"type\":\"result\",\"id\":{id},\"success\":true,\"result\":{{\"expires\":4102444800}}}}");
                }
                else if (type == "publish")
                {
                    await c.SendAsync($"{{\"type\":\"result\",\"id\":{id},\"success\":true,\"result\":{{\"offset\":7}}}}");
                }
            }
        });
        var calls = 0;
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            TokenProvider = CountingProvider(() => Interlocked.Increment(ref calls), () => calls),
        });
        await client.ConnectAsync().OrTimeout();
        Assert.Equal("t2", await refreshed.Task.OrTimeout());

        var result = await client.PublishAsync("a", System.Text.Json.JsonDocument.Parse("1").RootElement).OrTimeout();
        Assert.Equal(7, result.Offset);
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(["Bearer t1"], server.Authorizations);
    }

    [Fact]
    public async Task A_server_that_asks_for_auth_gets_the_token_in_an_auth_message()
    {
        await using var server = await ScriptedServer.StartAsync(async c =>
        {
            await c.SendAsync("{\"type\":\"auth_required\"}");
            var auth = await c.ReceiveAsync();
            if (auth?["type"]?.GetValue<string>() == "auth" && auth["token"]?.GetValue<string>() == "t1")
            {
                await c.SendAsync("{\"type\":\"auth_ok\"}");
                await c.SendWelcomeAsync();
                while (await c.ReceiveAsync() is not null)
                {
                }
            }
            else
            {
                await c.CloseAsync(CloseCodes.PolicyViolation, "no auth");
            }
        });
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            TokenProvider = _ => ValueTask.FromResult<string?>("t1"),
            Reconnect = FastRetry,
        });
        await client.ConnectAsync().OrTimeout();
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_provider_that_never_answers_and_ignores_cancellation_times_out_the_attempt()
    {
        var never = new TaskCompletionSource<string?>();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = new Uri("ws://127.0.0.1:9/ws"), // Never reached: the attempt waits for the token first.
            TokenProvider = _ => new ValueTask<string?>(never.Task),
            ConnectTimeout = TimeSpan.FromMilliseconds(200),
            Reconnect = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50), MaxAttempts = 1 },
        });

        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync().OrTimeout());
        Assert.Equal("connect timed out", error.Disconnect!.Reason);
        Assert.Equal(ConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task DisposeAsync_does_not_wait_for_a_provider_that_ignores_cancellation()
    {
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<string?>();
        var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = new Uri("ws://127.0.0.1:9/ws"),
            TokenProvider = _ =>
            {
                called.TrySetResult();
                return new ValueTask<string?>(never.Task);
            },
        });

        _ = client.ConnectAsync();
        await called.Task.OrTimeout();
        await client.DisposeAsync().AsTask().OrTimeout(TimeSpan.FromSeconds(5));
        Assert.Equal(ConnectionState.Disconnected, client.State);
    }
}
