using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Testing;
using Switchboard.Redis.Tests;

namespace Switchboard.Cli.Tests;

/// <summary><c>/health/live</c> and <c>/health/ready</c> of <c>switchboard serve</c>: a Redis outage and a drain flip readiness.</summary>
public sealed class HealthTests
{
    private static readonly TimeSpan Flip = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ready_is_unhealthy_while_redis_is_down_and_healthy_again_when_it_is_back()
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        using var server = await ServeProcess.StartAsync($"--Switchboard:Redis:Configuration={redis.Configuration}");

        var ready = await server.WaitForStatusAsync("/health/ready", 200, Flip);
        Assert.Contains("\"redis\"", ready, StringComparison.Ordinal);
        Assert.Equal(200, (await server.GetAsync("/health/live")).Status);

        await redis.KillAsync();
        var down = await server.WaitForStatusAsync("/health/ready", 503, Flip);
        Assert.Contains("\"status\":\"Unhealthy\"", down, StringComparison.Ordinal);
        Assert.Contains("Redis", down, StringComparison.Ordinal);
        Assert.DoesNotContain(redis.Configuration, down, StringComparison.Ordinal); // No addresses or settings in the answer.
        Assert.Equal(200, (await server.GetAsync("/health/live")).Status); // Alive all the same: restarting it would not bring Redis back.

        await redis.StartAsync();
        await server.WaitForStatusAsync("/health/ready", 200, Flip);
    }

    [Fact]
    public async Task Ready_is_unhealthy_while_the_node_drains()
    {
        // Two clients and a 30 s drain: they are closed in two batches 7.5 s apart, so the node is still draining,
        // with one client open, when the first has its 1001.
        using var server = await ServeProcess.StartAsync("--Switchboard:DrainTimeout=00:00:30");
        await using var first = await SwitchboardTestClient.ConnectAsync(server.WebSocketUri, expectWelcome: false);
        await using var second = await SwitchboardTestClient.ConnectAsync(server.WebSocketUri, expectWelcome: false);
        await first.ReceiveTypeAsync("welcome");
        await second.ReceiveTypeAsync("welcome");
        Assert.Equal(200, (await server.GetAsync("/health/ready")).Status);

        server.Process.Interrupt(); // Ctrl+C
        var firstClose = first.WaitForCloseAsync(TimeSpan.FromSeconds(60));
        var secondClose = second.WaitForCloseAsync(TimeSpan.FromSeconds(60));
        var closed = await Task.WhenAny(firstClose, secondClose);
        Assert.Equal(1001, (int?)(await closed).Status);

        var (status, body) = await server.GetAsync("/health/ready");
        Assert.Equal(503, status);
        Assert.Contains("draining", body, StringComparison.Ordinal);
        Assert.Equal(200, (await server.GetAsync("/health/live")).Status);

        Assert.Equal(1001, (int?)(await (closed == firstClose ? secondClose : firstClose)).Status);
        Assert.Equal(0, await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }
}
