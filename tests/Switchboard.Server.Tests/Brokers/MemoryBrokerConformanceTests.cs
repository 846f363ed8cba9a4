using Switchboard.Brokers;
using Switchboard.Conformance;

namespace Switchboard.Server.Tests.Brokers;

/// <summary>The broker conformance suite against <see cref="MemoryBroker"/>, on a clock the tests move.</summary>
public sealed class MemoryBrokerConformanceTests : BrokerConformanceTests
{
    private readonly ManualClock _clock = new();

    protected override IBroker CreateBroker() => new MemoryBroker(_clock);

    protected override Task ResetAsync(IBroker broker)
    {
        ((MemoryBroker)broker).Reset();
        return Task.CompletedTask;
    }

    protected override Task AdvanceTimeAsync(TimeSpan time)
    {
        _clock.Advance(time);
        return Task.CompletedTask;
    }

    // The memory broker hands its node every publication; the node's registry finds the subscribers.
    protected override bool DeliversOnlySubscribed => false;

    /// <summary>A clock that moves only when told; timers are the system's (the sweep is not under test).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
