using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;

namespace Switchboard.Nats.Tests;

/// <summary>Starts real Switchboard nodes (Kestrel on 127.0.0.1:0) with the NATS bridge, and waits on conditions.</summary>
internal static class BridgedServer
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Starts a node bridging to <paramref name="nats"/> and waits until every intake is subscribed.</summary>
    public static async Task<TestServer> StartAsync(NatsServer nats, Action<SwitchboardNatsOptions> configure, Action<IServiceCollection>? services = null)
    {
        var server = await TestServer.StartAsync(configureServices: s =>
        {
            s.AddSwitchboardNats(o =>
            {
                o.Url = nats.Url;
                configure(o);
            });
            services?.Invoke(s);
        });
        var status = server.Services.GetRequiredService<NatsBridgeStatus>();
        await WaitUntilAsync(() => status.IsHealthy, "the bridge to be connected and subscribed");
        return server;
    }

    /// <summary>A bridge option set, for brevity.</summary>
    public static NatsBridgeOptions Bridge(string subject, string? channel = null, string? direction = null, string? payload = null, string? stream = null) =>
        new() { Subject = subject, Channel = channel, Direction = direction, Payload = payload, Stream = stream };

    /// <summary>A plain NATS client, as a backend service would use.</summary>
    public static async Task<NatsConnection> ConnectAsync(NatsServer nats)
    {
        var connection = new NatsConnection(new NatsOpts { Url = nats.Url, Name = "test-backend" });
        await connection.ConnectAsync();
        return connection;
    }

    /// <summary>Waits (polling every 20 ms) until <paramref name="condition"/> holds; fails the test after <see cref="Timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>As <see cref="WaitUntilAsync(Func{bool}, string)"/>, for an asynchronous condition.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }
}
