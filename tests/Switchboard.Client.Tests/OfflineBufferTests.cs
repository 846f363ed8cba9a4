using System.Text.Json;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests;

/// <summary>Commands made while disconnected wait in a bounded buffer and go out in order after the connection.</summary>
public sealed class OfflineBufferTests
{
    private static JsonElement Seq(int i) => JsonDocument.Parse($"{{\"seq\":{i}}}").RootElement;

    [Fact]
    public async Task Publishes_made_during_an_outage_are_delivered_in_order_after_reconnect()
    {
        await using var server = await ServerHost.StartRestartableAsync();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            Reconnect = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) },
        });
        await client.ConnectAsync().OrTimeout();
        await client.PublishAsync("offline.order", Seq(0));

        await server.StopAsync();
        await client.WaitForStateAsync(ConnectionState.Reconnecting).OrTimeout();
        var publishes = Enumerable.Range(1, 200).Select(i => client.PublishAsync("offline.order", Seq(i))).ToList();
        Assert.DoesNotContain(publishes, p => p.IsCompleted);

        await server.RestartAsync();
        var results = await Task.WhenAll(publishes).OrTimeout();
        Assert.Equal(Enumerable.Range(2, 200).Select(i => (long)i), results.Select(r => r.Offset));

        var history = await client.HistoryAsync("offline.order");
        Assert.Equal(Enumerable.Range(0, 201), Publish.Seqs(history.Publications));
    }

    [Theory]
    [InlineData(OfflineBufferOverflow.Reject, new[] { 1, 2, 3 }, new[] { 4, 5 })]
    [InlineData(OfflineBufferOverflow.DropOldest, new[] { 3, 4, 5 }, new[] { 1, 2 })]
    [InlineData(OfflineBufferOverflow.DropNewest, new[] { 1, 2, 5 }, new[] { 3, 4 })]
    public async Task A_full_buffer_follows_its_overflow_policy(OfflineBufferOverflow policy, int[] published, int[] failed)
    {
        await using var server = await ServerHost.StartAsync();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = server.WebSocketUri,
            OfflineBufferSize = 3,
            OfflineBufferOverflow = policy,
        });

        // Before ConnectAsync the client is offline: commands wait in the buffer.
        var channel = $"offline.{policy}";
        var publishes = Enumerable.Range(1, 5).Select(i => client.PublishAsync(channel, Seq(i))).ToList();
        await client.ConnectAsync().OrTimeout();
        foreach (var i in failed)
        {
            await Assert.ThrowsAsync<SwitchboardBufferFullException>(() => publishes[i - 1]);
        }

        foreach (var i in published)
        {
            await publishes[i - 1].OrTimeout();
        }

        var history = await client.HistoryAsync(channel);
        Assert.Equal(published, Publish.Seqs(history.Publications));
    }

    [Fact]
    public async Task Disconnect_fails_what_is_still_buffered()
    {
        await using var server = await ServerHost.StartAsync();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri });
        var publish = client.PublishAsync("offline.dropped", Seq(1));
        await client.DisconnectAsync();
        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => publish.OrTimeout());
        Assert.Equal(CloseCodes.Normal, error.Disconnect?.CloseCode);
    }

    [Fact]
    public async Task A_buffered_command_times_out_or_is_cancelled_and_is_then_never_sent()
    {
        await using var server = await ServerHost.StartAsync();
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = server.WebSocketUri, OfflineBufferSize = 1 });
        await Assert.ThrowsAsync<TimeoutException>(() => client.RpcAsync("echo", Seq(1), TimeSpan.FromMilliseconds(50)));
        using var cts = new CancellationTokenSource();
        var publish = client.PublishAsync("offline.cancelled", Seq(1), cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish);

        // Both left the buffer: a new command fits (size 1), and nothing cancelled was published.
        var kept = client.PublishAsync("offline.cancelled", Seq(2));
        await client.ConnectAsync().OrTimeout();
        await kept.OrTimeout();
        Assert.Equal([2], Publish.Seqs((await client.HistoryAsync("offline.cancelled")).Publications));
    }
}
