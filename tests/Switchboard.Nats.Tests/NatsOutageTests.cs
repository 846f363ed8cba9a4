using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Switchboard.Nats.Tests;

/// <summary>NATS stopped and started again: clients stay connected, readiness says so, the bridge resumes by itself.</summary>
public sealed class NatsOutageTests(NatsServer nats) : IClassFixture<NatsServer>
{
    [Fact]
    public async Task The_bridge_resumes_after_nats_comes_back_and_clients_stay_connected_meanwhile()
    {
        await using var server = await BridgedServer.StartAsync(nats, o => o.Bridges.Add(BridgedServer.Bridge("alerts.*", "alerts.{1}")));
        var status = server.Services.GetRequiredService<NatsBridgeStatus>();
        var health = server.Services.GetRequiredService<HealthCheckService>();
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("alerts.fire");
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["nats"].Status);

        await nats.KillAsync();
        await BridgedServer.WaitUntilAsync(() => !status.IsConnected, "the bridge to notice NATS is gone");
        var down = (await health.CheckHealthAsync()).Entries["nats"];
        Assert.Equal(HealthStatus.Degraded, down.Status);
        Assert.Contains("not connected", down.Description);

        // The WebSocket side is unaffected: commands are answered and local publications delivered.
        await client.OkAsync(new JsonObject { ["type"] = "history", ["channel"] = "alerts.fire" });
        await client.PublishAsync("alerts.fire", JsonNode.Parse("""{"local":true}"""));
        Assert.True((await client.ReceiveMessagesAsync(1))[0]["data"]!["local"]!.GetValue<bool>());

        await nats.StartAsync();
        await BridgedServer.WaitUntilAsync(() => status.IsHealthy, "the bridge to reconnect");
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["nats"].Status);

        // Plain subscriptions are at most once: a message sent in the instant before the bridge's subscription is
        // restored may be lost, so the backend sends until one arrives.
        await using var backend = await BridgedServer.ConnectAsync(nats);
        using var sending = new CancellationTokenSource();
        var sender = Task.Run(async () =>
        {
            while (!sending.IsCancellationRequested)
            {
                await backend.PublishAsync("alerts.fire", Encoding.UTF8.GetBytes("""{"after":true}"""));
                await Task.Delay(200);
            }
        });
        var resumed = (await client.ReceiveMessagesAsync(1, BridgedServer.Timeout))[0];
        await sending.CancelAsync();
        await sender;
        Assert.True(resumed["data"]!["after"]!.GetValue<bool>());
        Assert.True(resumed["offset"]!.GetValue<long>() >= 2);
        Assert.True(client.IsOpen);
    }
}
