using Switchboard.Redis.Tests;
using Switchboard.Samples.Tests.Infrastructure;
using Switchboard.Tests.Infrastructure;

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
    public async Task Tokens_with_a_crit_header_or_a_date_claim_that_is_not_a_number_get_1008()
    {
        await using var sample = await SampleProcess.StartAsync("LiveUpdates", _tokens.SecretFlag);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        const string plain = """{"alg":"HS256","typ":"JWT"}""";
        string[] tokens =
        [
            _tokens.Sign("""{"alg":"HS256","typ":"JWT","crit":["x-bound"],"x-bound":true}""", $$"""{"sub":"u-1","exp":{{now + 3600}}}"""),
            _tokens.Sign(plain, $$"""{"sub":"u-1","exp":"{{now + 3600}}"}"""),
            _tokens.Sign(plain, $$"""{"sub":"u-1","exp":{{now + 3600}},"nbf":"{{now - 60}}"}"""),
            _tokens.Sign(plain, $$"""{"sub":"u-1","exp":{{now + 3600}},"iat":"{{now}}"}"""),
        ];
        foreach (var token in tokens)
        {
            await using var client = await RawWebSocketClient.ConnectAsync(sample.WebSocketUri("/ws?token=" + token));
            Assert.Equal((1008, "Invalid token"), await client.ReceiveCloseAsync(TimeSpan.FromSeconds(15)));
        }

        // The same claims in their proper shape get in.
        await using var welcome = await RawWebSocketClient.ConnectAsync(sample.WebSocketUri("/ws?token=" + _tokens.Sign(plain, $$"""{"sub":"u-1","exp":{{now + 3600}},"nbf":{{now - 60}},"iat":{{now}}}""")));
        Assert.NotEmpty(await welcome.ReceiveTextAsync());
    }

    [Fact]
    public async Task With_an_api_key_backends_must_send_it_and_bad_events_get_400_with_the_reason()
    {
        await using var sample = await SampleProcess.StartAsync("LiveUpdates", _tokens.SecretFlag, "--Switchboard:HttpApi:Key=backend-key");
        using var http = new HttpClient { BaseAddress = sample.BaseUri };
        var order = new StringContent("""{"subject":"order.created","data":{"order_id":1}}""", System.Text.Encoding.UTF8, "application/json");

        var refused = await http.PostAsync("/api/events", order);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);

        http.DefaultRequestHeaders.Authorization = new("Bearer", "backend-key");
        var accepted = await http.PostAsync("/api/events", order);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("""{"subject":"order.created","topics":["orders"]}""", await accepted.Content.ReadAsStringAsync());

        foreach (var bad in new[] { """{"subject":"order.*","data":{}}""", """{"data":{}}""", """{"subject":"order.created"}""", "not json" })
        {
            var response = await http.PostAsync("/api/events", new StringContent(bad, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("subject", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
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
