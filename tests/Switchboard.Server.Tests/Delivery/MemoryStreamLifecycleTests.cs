using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Brokers;
using Switchboard.Server.Tests.Infrastructure;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>
/// <see cref="StreamLifecycleProperties"/> on one node with the memory broker and serve's defaults, on fake time: a
/// sweep is 31 s of the clock (the broker's sweep runs every 30 s and forgets streams nobody published to, and those
/// idle past the history TTL), a new epoch is <see cref="MemoryBroker.Reset"/>.
/// </summary>
public sealed class MemoryStreamLifecycleTests : StreamLifecycleProperties
{
    protected override async Task<IStreamLifecycleRig> StartAsync()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new LogCapture();
        var server = await TestServer.StartAsync(configureServices: log.Attach, timeProvider: time);
        return new Rig(server, time, log);
    }

    private sealed class Rig(TestServer server, FakeTimeProvider time, LogCapture log) : IStreamLifecycleRig
    {
        public IReadOnlyList<TestServer> Nodes { get; } = [server];

        public LogCapture Log => log;

        public Task SweepAsync(IReadOnlyList<string> channels)
        {
            time.Advance(TimeSpan.FromSeconds(31));
            return Task.CompletedTask;
        }

        public Task NewEpochAsync(IReadOnlyList<string> channels)
        {
            ((MemoryBroker)server.Services.GetRequiredService<IBroker>()).Reset();
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }
}
