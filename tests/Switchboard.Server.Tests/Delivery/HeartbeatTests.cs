using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Protocol;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>
/// Server pings when idle; silence past the pong timeout closes with 4002. The heartbeat runs on the server's
/// <see cref="TimeProvider"/>, so these tests move a fake clock instead of racing a real one on a loaded machine.
/// </summary>
public sealed class HeartbeatTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private static Task<TestServer> StartAsync(TimeProvider time) => TestServer.StartAsync(
        o =>
        {
            o.PingInterval = Interval;
            o.PongTimeout = 5 * Interval;
        },
        timeProvider: time);

    [Fact]
    public async Task A_client_that_never_answers_pings_is_closed_with_4002()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(time);
        await using var client = await server.ConnectAsync();
        Assert.Equal(60, client.Welcome["ping"]!.GetValue<int>()); // Seconds.

        time.Advance(Interval);
        await client.ReceiveTypeAsync("ping");
        time.Advance(5 * Interval); // Silent for exactly ping + pong timeout: not yet.
        await client.ReceiveTypeAsync("ping");
        Assert.True(client.IsOpen);
        time.Advance(TimeSpan.FromSeconds(1));
        var (status, _) = await client.WaitForCloseAsync();
        Assert.Equal(CloseCodes.HeartbeatTimeout, (int?)status);
    }

    [Fact]
    public async Task A_client_that_answers_stays_connected_for_10_intervals()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(time);
        using var received = new ReceivedMessages(server);
        await using var client = await server.ConnectAsync();
        client.AnswerPings = true;

        // Ten pings, each after a silent interval and each answered. Without the pongs the server would close the
        // connection at the seventh (silent for more than ping + pong timeout). Each pong is seen by the server
        // before the clock moves on, so it is stamped with the time of its ping, not a later one.
        for (var i = 1; i <= 10; i++)
        {
            time.Advance(Interval);
            await client.ReceiveTypeAsync("ping");
            await received.WaitForAsync(i);
        }

        Assert.True(client.IsOpen);
        await client.SendAsync(new { type = "ping", id = 1 });
        await client.ReceiveTypeAsync("pong");
    }

    [Fact]
    public async Task A_client_ping_gets_a_pong_with_its_id()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.SendAsync(new { type = "ping", id = "hb-1" });
        var pong = await client.ReceiveTypeAsync("pong");
        Assert.Equal("hb-1", pong["id"]!.GetValue<string>());
    }

    /// <summary>Counts the messages one server received from its clients (<c>switchboard.message.count</c> received, on its own meter).</summary>
    private sealed class ReceivedMessages : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public ReceivedMessages(TestServer server)
        {
            var meter = server.Services.GetRequiredService<SwitchboardMetrics>().Meter;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "switchboard.message.count")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "network.io.direction", Value: "receive" })
                    {
                        Interlocked.Add(ref _count, value);
                    }
                }
            });
            _listener.Start();
        }

        public async Task WaitForAsync(long count)
        {
            var deadline = DateTime.UtcNow + TestClient.DefaultTimeout;
            while (Interlocked.Read(ref _count) < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the server received {Interlocked.Read(ref _count)} messages, not {count}");
                await Task.Delay(10);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
