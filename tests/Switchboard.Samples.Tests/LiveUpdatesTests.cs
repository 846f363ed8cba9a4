using Switchboard.Redis.Tests;
using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/LiveUpdates (seed 002) with the seed's Python client: on one node, and on two nodes through a real redis-server.</summary>
public sealed class LiveUpdatesTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly Tokens _tokens = new();

    private string UserToken => _tokens.Create(new() { ["sub"] = "u-1", ["username"] = "alice", ["roles"] = new[] { "user" } });

    private string AdminToken => _tokens.Create(new() { ["sub"] = "u-0", ["username"] = "root", ["roles"] = new[] { "admin" } });

    [Fact]
    public async Task Seed_python_client_gets_its_events_bad_tokens_get_1008_and_limits_answer_in_the_apps_format()
    {
        await using var sample = await SampleProcess.StartAsync("LiveUpdates", _tokens.SecretFlag);
        var node = sample.BaseUri.ToString();
        await PythonClient.RunAsync("live_updates.py", node, node, UserToken, AdminToken);
    }

    [Fact]
    public async Task An_event_posted_to_one_node_reaches_the_seed_client_on_another_through_redis()
    {
        var redisFlags = new[] { _tokens.SecretFlag, $"--Switchboard:Redis:Configuration={redis.Configuration}", "--Switchboard:Redis:KeyPrefix=live-updates-test:" };
        await using var publisher = await SampleProcess.StartAsync("LiveUpdates", redisFlags);
        await using var subscriber = await SampleProcess.StartAsync("LiveUpdates", redisFlags);
        await PythonClient.RunAsync("live_updates.py", subscriber.BaseUri.ToString(), publisher.BaseUri.ToString(), UserToken, AdminToken, "bridge-only");
    }
}
