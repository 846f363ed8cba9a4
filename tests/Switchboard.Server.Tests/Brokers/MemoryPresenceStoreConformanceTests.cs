using Switchboard.Conformance;
using Switchboard.Presence;

namespace Switchboard.Server.Tests.Brokers;

/// <summary>The presence store conformance suite against <see cref="MemoryPresenceStore"/>.</summary>
public sealed class MemoryPresenceStoreConformanceTests : PresenceStoreConformanceTests
{
    protected override IPresenceStore CreateStore() => new MemoryPresenceStore();
}
