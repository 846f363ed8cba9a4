using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/TopicManager (seed 003): its ConnectionManager's protocol over Python websockets (BufferedWebSocket runs in tests/js/samples).</summary>
public sealed class TopicManagerTests : IAsyncLifetime
{
    private SampleProcess _sample = null!;

    public async Task InitializeAsync() => _sample = await SampleProcess.StartAsync("TopicManager");

    public async Task DisposeAsync() => await _sample.DisposeAsync();

    [Fact]
    public async Task Topics_ping_echo_and_publish_reach_subscribers_only() =>
        await PythonClient.RunAsync("topic_manager.py", _sample.BaseUri.ToString());
}
