using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>
/// samples/LiveUpdates (seed 002) on the document's paths beyond its Python client, each with the document's own code
/// where it has some: the chat rooms with its unit test, the mixin's hello and channel subscriptions, the JavaScript
/// client's <c>message</c>, the JSON heartbeat, and its load test.
/// </summary>
public sealed class LiveUpdatesSeedPathsTests
{
    private readonly Tokens _tokens = new();

    private string AliceToken => _tokens.Create(new() { ["sub"] = "u-1", ["username"] = "alice", ["roles"] = new[] { "user" } });

    [Fact]
    public async Task Chat_rooms_tell_the_others_who_joined_and_left_and_give_messages_to_the_whole_room()
    {
        await using var sample = await SampleProcess.StartAsync("LiveUpdates", _tokens.SecretFlag);
        await PythonClient.RunAsync("live_updates_chat.py", sample.BaseUri.ToString(), AliceToken);
    }

    [Fact]
    public async Task The_documents_unit_test_passes_against_the_chat_endpoint()
    {
        // As the README runs it: default settings (a connection's first heartbeat ping comes 30 s after it connected,
        // so none falls between the test's message and the broadcast it reads next).
        await using var sample = await SampleProcess.StartAsync("LiveUpdates", _tokens.SecretFlag);
        var output = await PythonClient.RunAsync("live_updates_unit_test.py", sample.BaseUri.ToString());
        Assert.Contains("1 passed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_ws_endpoint_greets_with_the_mixins_hello_subscribes_by_channel_relays_messages_and_pings_every_interval()
    {
        await using var sample = await SampleProcess.StartAsync("LiveUpdates", _tokens.SecretFlag, "--LiveUpdates:HeartbeatInterval=00:00:01");
        await PythonClient.RunAsync("live_updates_mixin.py", sample.BaseUri.ToString(), AliceToken);
    }

    [Fact]
    public async Task The_documents_load_test_runs_at_its_rate_and_every_message_arrives_in_order()
    {
        // The README's run is 100 clients; 20 keep it small on a shared machine (about 10 s, 2,000 messages, loopback).
        await using var sample = await SampleProcess.StartAsync("LiveUpdates", _tokens.SecretFlag, "--LiveUpdates:MessagesPerMinute=600");
        var output = await PythonClient.RunAsync("live_updates_load.py", sample.BaseUri.ToString(), _tokens.Secret, "20");
        Assert.Contains("20 clients sent 2000 messages", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_or_invalid_LiveUpdates_setting_stops_the_sample_at_start_with_the_reason()
    {
        foreach (var (flag, reason) in new[]
        {
            ("--LiveUpdates:MessagesPerMinut=600", "properties were not found on the instance of LiveUpdates.LiveUpdatesOptions: 'MessagesPerMinut'"),
            ("--LiveUpdates:MessagesPerMinute=0", "LiveUpdates:MessagesPerMinute must be at least 1"),
            ("--LiveUpdates:HeartbeatInterval=00:00:00", "LiveUpdates:HeartbeatInterval must be"),
        })
        {
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => SampleProcess.StartAsync("LiveUpdates", _tokens.SecretFlag, flag));
            Assert.Contains(reason, failure.Message, StringComparison.Ordinal);
        }
    }
}
