using System.Text.Json;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests;

/// <summary>
/// The cancellation token the server hands an rpc handler fires when the work's answer can no longer be used: the
/// client disconnected, or the node drains the connection. A handler that waits with it stops, and the drain does
/// not wait for it.
/// </summary>
public sealed class RpcCancellationTests
{
    private sealed class WaitingHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Register(Switchboard.Server.SwitchboardOptions options) => options.AddRpc("wait", async (_, cancellationToken) =>
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Cancelled.TrySetResult();
                throw;
            }

            return default;
        });
    }

    [Fact]
    public async Task A_handler_waiting_with_its_token_is_cancelled_when_the_client_disconnects()
    {
        var handler = new WaitingHandler();
        await using var server = await ServerHost.StartAsync(handler.Register);
        var client = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await client.ConnectAsync().OrTimeout();
        var call = client.RpcAsync("wait", JsonDocument.Parse("null").RootElement, TimeSpan.FromMinutes(5));
        await handler.Started.Task.OrTimeout();

        await client.DisposeAsync();

        await handler.Cancelled.Task.OrTimeout();
        await Assert.ThrowsAsync<SwitchboardConnectionException>(() => call.OrTimeout());
    }

    [Fact]
    public async Task A_handler_waiting_with_its_token_is_cancelled_when_the_node_drains_and_the_client_is_told()
    {
        var handler = new WaitingHandler();
        await using var server = await ServerHost.StartAsync(o =>
        {
            handler.Register(o);
            o.DrainTimeout = TimeSpan.FromMinutes(1); // Long: the drain must not wait for the handler.
        });
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        await client.ConnectAsync().OrTimeout();
        var call = client.RpcAsync("wait", JsonDocument.Parse("null").RootElement, TimeSpan.FromMinutes(5));
        await handler.Started.Task.OrTimeout();

        var stopping = server.StopAsync();

        await handler.Cancelled.Task.OrTimeout();
        var error = await Assert.ThrowsAsync<SwitchboardCommandException>(() => call.OrTimeout());
        Assert.Equal(ErrorCodes.Unavailable, error.Code);
        await stopping.OrTimeout(TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(() => client.LastDisconnect?.CloseCode == CloseCodes.GoingAway, $"close 1001, got {client.LastDisconnect}");
    }
}
