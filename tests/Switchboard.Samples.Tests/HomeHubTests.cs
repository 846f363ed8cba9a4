using System.Text.Json.Nodes;
using Switchboard.Samples.Tests.Infrastructure;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/HomeHub (seed 000): the Home Assistant WebSocket API subset with seed 000's Python clients.</summary>
public sealed class HomeHubTests() : RunningSample("HomeHub", $"--HomeHub:AccessToken={AccessToken}")
{
    private const string AccessToken = "homeiq-test-token";

    [Fact]
    public async Task Seed_python_clients_authenticate_read_states_call_services_and_get_events() =>
        await PythonClient.RunAsync("home_hub.py", Sample.BaseUri.ToString(), AccessToken);

    [Fact]
    public async Task What_the_home_assistant_2024_1_frontend_sends_after_auth_ok_is_answered_with_compressed_states_and_their_diffs() =>
        await PythonClient.RunAsync("home_hub_frontend.py", Sample.BaseUri.ToString(), AccessToken);

    [Theory]
    [InlineData("\"seven\"")]
    [InlineData("true")]
    [InlineData("[1,2]")]
    [InlineData("1.5")]
    public async Task A_command_whose_id_is_not_an_integer_gets_invalid_format_with_that_id_as_home_assistant_answers(string id)
    {
        await using var client = await AuthenticatedAsync();
        await client.SendAsync(RawWebSocketClient.TextFrame($$"""{"id":{{id}},"type":"get_states"}"""));
        var reply = await ReceiveAsync(client);
        AssertInvalidFormat(reply);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(id), reply["id"]), $"the reply's id is {reply["id"]?.ToJsonString() ?? "null"}");

        await AssertStillServedAsync(client, 1);
    }

    [Fact]
    public async Task A_lone_surrogate_in_an_event_type_gets_invalid_format()
    {
        await using var client = await AuthenticatedAsync();
        await client.SendAsync(RawWebSocketClient.TextFrame("""{"id":1,"type":"fire_event","event_type":"door_\ud800"}"""));
        AssertInvalidFormat(await ReceiveAsync(client));

        // The refused message used no id: the next command may still take 1.
        await AssertStillServedAsync(client, 1);
    }

    private static void AssertInvalidFormat(JsonObject reply)
    {
        Assert.Equal("result", reply["type"]!.GetValue<string>());
        Assert.False(reply["success"]!.GetValue<bool>());
        Assert.Equal("invalid_format", reply["error"]!["code"]!.GetValue<string>());
    }

    private async Task AssertStillServedAsync(RawWebSocketClient client, int nextId)
    {
        await client.SendAsync(RawWebSocketClient.TextFrame($$"""{"id":{{nextId}},"type":"ping"}"""));
        var pong = await ReceiveAsync(client);
        Assert.Equal("pong", pong["type"]!.GetValue<string>());
        Assert.Equal(nextId, pong["id"]!.GetValue<int>());

        // A client's mistake is no failure of the server: nothing at error level in its log.
        Assert.DoesNotContain(" fail: ", Sample.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" crit: ", Sample.Output, StringComparison.Ordinal);
    }

    private async Task<RawWebSocketClient> AuthenticatedAsync()
    {
        var client = await RawWebSocketClient.ConnectAsync(Sample.WebSocketUri("/api/websocket"));
        Assert.Equal("auth_required", (await ReceiveAsync(client))["type"]!.GetValue<string>());
        await client.SendAsync(RawWebSocketClient.TextFrame($$"""{"type":"auth","access_token":"{{AccessToken}}"}"""));
        Assert.Equal("auth_ok", (await ReceiveAsync(client))["type"]!.GetValue<string>());
        return client;
    }

    private static async Task<JsonObject> ReceiveAsync(RawWebSocketClient client) => JsonNode.Parse(await client.ReceiveTextAsync())!.AsObject();
}
