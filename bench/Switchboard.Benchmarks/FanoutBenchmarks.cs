using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Switchboard.Protocol;
using Switchboard.Server;
using Switchboard.Brokers;

namespace Switchboard.Benchmarks;

/// <summary>
/// One publication to N in-process subscribers through the real registry and connection writers (send loops running
/// over a discarding socket), and a memory-broker publish. The memory diagnoser shows what one operation allocates:
/// the publication, its encoded bytes once, and nothing per subscriber.
/// </summary>
[MemoryDiagnoser]
public class FanoutBenchmarks
{
    private FanoutRig _rig = null!;

    [Params(100, 10_000)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup() => _rig = new FanoutRig(Subscribers, runWriters: true);

    [GlobalCleanup]
    public void Cleanup() => _rig.Dispose();

    [Benchmark]
    public void FanOutOnePublication()
    {
        var publication = _rig.NextPublication();
        _ = publication.Encoded; // The broker's handler encodes once; every subscriber then gets these bytes.
        _rig.Registry.Deliver(publication);
    }
}

/// <summary>The memory broker's publish: offset, history append, delivery to the node's handler.</summary>
[MemoryDiagnoser]
public class BrokerBenchmarks : IBrokerEventHandler
{
    private readonly MemoryBroker _broker = new();
    private readonly PublishRequest _request = new(
        "chat.general", System.Text.Encoding.UTF8.GetBytes("{\"s\":1,\"t\":1,\"p\":\"" + new string('x', 108) + "\"}"), null, null, new HistoryPolicy(1000, TimeSpan.FromMinutes(10)), TimeSpan.FromMinutes(2));

    private readonly PublishRequest _keyed = new(
        "chat.keyed", "{\"n\":1}"u8.ToArray(), null, "key-1", new HistoryPolicy(1000, TimeSpan.FromMinutes(10)), TimeSpan.FromMinutes(2));

    [GlobalSetup]
    public void Setup() => _broker.StartAsync(this, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _broker.Dispose();

    [Benchmark]
    public StreamPosition MemoryBrokerPublish() => _broker.PublishAsync(_request, CancellationToken.None).Result.Position;

    [Benchmark]
    public StreamPosition MemoryBrokerPublishDuplicateKey() => _broker.PublishAsync(_keyed, CancellationToken.None).Result.Position;

    public void HandlePublication(Publication publication)
    {
    }
}
