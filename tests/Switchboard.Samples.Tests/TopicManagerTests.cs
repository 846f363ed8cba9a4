using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/TopicManager (seed 003): its ConnectionManager's protocol over Python websockets (BufferedWebSocket runs in tests/js/samples).</summary>
public sealed class TopicManagerTests() : RunningSample("TopicManager")
{
    [Fact]
    public async Task Topics_ping_echo_and_publish_reach_subscribers_only() =>
        await PythonClient.RunAsync("topic_manager.py", Sample.BaseUri.ToString());
}
