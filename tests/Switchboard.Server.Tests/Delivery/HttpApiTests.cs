using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.HttpApi;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>The HTTP API for backends, over real HTTP to a real Kestrel.</summary>
public sealed partial class HttpApiTests : IAsyncLifetime
{
    private const string Key = "test-api-key-0123456789";

    private TestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(
            configureServices: s => s.Configure<SwitchboardHttpApiOptions>(o => o.Key = Key),
            configureApp: app => app.MapSwitchboardApi("/api"));
        _http = new HttpClient { BaseAddress = _server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string endpoint, JsonObject? body, Action<HttpRequestHeaders>? auth = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/{endpoint}")
        {
            Content = new StringContent(body?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json"),
        };
        (auth ?? (h => h.Add("X-API-Key", Key)))(request.Headers);
        using var response = await _http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task Publish_reaches_websocket_subscribers_without_from()
    {
        await using var subscriber = await _server.ConnectAsync();
        await subscriber.SubscribeAsync("news.http");

        var (status, body) = await PostAsync("publish", new JsonObject { ["channel"] = "news.http", ["data"] = new JsonObject { ["title"] = "hello" } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body["offset"]!.GetValue<long>());

        var message = await subscriber.ReceiveTypeAsync("message");
        Assert.Equal("hello", message["data"]!["title"]!.GetValue<string>());
        Assert.Equal(body["epoch"]!.GetValue<string>(), message["epoch"]!.GetValue<string>());
        Assert.Null(message["from"]);

        // The Authorization: apikey form works too.
        var (second, _) = await PostAsync("publish", new JsonObject { ["channel"] = "news.http", ["data"] = 2 }, h => h.Authorization = new AuthenticationHeaderValue("apikey", Key));
        Assert.Equal(HttpStatusCode.OK, second);
        Assert.Equal(2, (await subscriber.ReceiveTypeAsync("message"))["data"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_wrong_or_missing_key_gets_401_and_publishes_nothing(string? key)
    {
        await using var subscriber = await _server.ConnectAsync();
        await subscriber.SubscribeAsync("news.locked");

        var (status, body) = await PostAsync("publish", new JsonObject { ["channel"] = "news.locked", ["data"] = "x" }, h =>
        {
            if (key is not null)
            {
                h.TryAddWithoutValidation("X-API-Key", key);
                h.TryAddWithoutValidation("Authorization", $"Bearer {key}");
            }
        });
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unauthorized", body["error"]!["code"]!.GetValue<string>());
        Assert.DoesNotContain(Key, body.ToJsonString());

        var (_, history) = await PostAsync("history", new JsonObject { ["channel"] = "news.locked" });
        Assert.Empty(history["publications"]!.AsArray());
        Assert.Equal(0, history["offset"]!.GetValue<long>());
        await subscriber.SendAsync(new { type = "ping", id = 1 });
        Assert.Equal("pong", (await subscriber.ReceiveAnyAsync())["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Broadcast_publishes_to_every_channel_or_to_none_when_one_is_invalid()
    {
        await using var a = await _server.ConnectAsync();
        await using var b = await _server.ConnectAsync();
        await a.SubscribeAsync("team.a");
        await b.SubscribeAsync("team.b");

        var (bad, error) = await PostAsync("broadcast", new JsonObject { ["channels"] = new JsonArray("team.a", "team..b"), ["data"] = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("bad_request", error["error"]!["code"]!.GetValue<string>());

        var (ok, body) = await PostAsync("broadcast", new JsonObject { ["channels"] = new JsonArray("team.a", "team.b"), ["data"] = 2 });
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(["team.a", "team.b"], body["results"]!.AsArray().Select(r => r!["channel"]!.GetValue<string>()));
        Assert.Equal(2, (await a.ReceiveTypeAsync("message"))["data"]!.GetValue<int>());
        var atB = await b.ReceiveTypeAsync("message");
        Assert.Equal(2, atB["data"]!.GetValue<int>());
        Assert.Equal(1, atB["offset"]!.GetValue<long>()); // The invalid broadcast published nothing.
    }

    [Fact]
    public async Task Presence_history_channels_info_and_disconnect()
    {
        await using var a = await _server.ConnectAsync();
        await using var b = await _server.ConnectAsync();
        await a.SubscribeAsync("lobby.main");
        await b.SubscribeAsync("lobby.main");
        await b.SubscribeAsync("lobby.>");
        await a.PublishAsync("lobby.main", 1);
        await a.PublishAsync("lobby.main", 2);

        var (_, presence) = await PostAsync("presence", new JsonObject { ["channel"] = "lobby.main" });
        Assert.Equal(2, presence["clients"]!.AsArray().Count);

        var (_, history) = await PostAsync("history", new JsonObject { ["channel"] = "lobby.main", ["limit"] = 1 });
        Assert.Equal([2], history["publications"]!.AsArray().Select(p => p!["data"]!.GetValue<int>()));
        Assert.Equal(2, history["offset"]!.GetValue<long>());

        var (_, channels) = await PostAsync("channels", new JsonObject { ["pattern"] = "lobby.>" });
        var counts = channels["channels"]!.AsArray().ToDictionary(c => c!["channel"]!.GetValue<string>(), c => c!["subscribers"]!.GetValue<int>());
        Assert.Equal(2, counts["lobby.main"]);

        var (_, info) = await PostAsync("info", null);
        Assert.True(info["connections"]!.GetValue<int>() >= 2);
        Assert.False(info["draining"]!.GetValue<bool>());

        var (_, disconnected) = await PostAsync("disconnect", new JsonObject { ["client"] = b.Welcome["client"]!.GetValue<string>() });
        Assert.Equal(1, disconnected["disconnected"]!.GetValue<int>());
        var (code, _) = await b.WaitForCloseAsync();
        Assert.Equal(4005, (int?)code);
    }

    [Theory]
    [InlineData("publish", "not json", "bad_request")]
    [InlineData("publish", "[1,2]", "bad_request")]
    [InlineData("publish", "{\"channel\":\"a.*\",\"data\":1}", "bad_request")]
    [InlineData("publish", "{\"channel\":\"a\"}", "bad_request")]
    [InlineData("history", "{\"channel\":\"a\",\"limit\":-1}", "bad_request")]
    [InlineData("disconnect", "{}", "bad_request")]
    public async Task Bad_requests_get_400_with_the_protocol_error_code(string endpoint, string body, string code)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/{endpoint}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-API-Key", Key);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.DoesNotContain("   at ", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mapping_the_api_without_a_key_fails_at_start()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync(configureApp: app => app.MapSwitchboardApi("/api")));
        Assert.Contains("Switchboard:HttpApi:Key", error.Message);
    }
}
