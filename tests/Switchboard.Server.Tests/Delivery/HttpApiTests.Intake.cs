using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>The HTTP API refuses what subscribers cannot take (413) and bodies that are not UTF-8 (400, never a 500).</summary>
public sealed partial class HttpApiTests
{
    private async Task<(HttpStatusCode Status, JsonNode Error)> PostBytesAsync(string endpoint, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/{endpoint}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-API-Key", Key);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return (response.StatusCode, JsonNode.Parse(text)!["error"] ?? new JsonObject());
    }

    [Theory]
    [InlineData("publish", "\"channel\":\"api.large\"")]
    [InlineData("broadcast", "\"channels\":[\"api.large\"]")]
    [InlineData("send", "\"user\":\"u\",\"channel\":\"api.large\"")]
    public async Task A_one_megabyte_post_gets_413_and_a_subscriber_stays_connected_and_gets_later_messages(string endpoint, string fields)
    {
        await using var subscriber = await _server.ConnectAsync();
        await subscriber.SubscribeAsync("api.large");
        var body = Encoding.UTF8.GetBytes($"{{{fields},\"data\":{{\"blob\":\"{new string('x', 1_000_000)}\"}}}}");

        var (status, error) = await PostBytesAsync(endpoint, body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("too_large", error["code"]!.GetValue<string>());
        Assert.Equal("data is 1000011 bytes, more than the 523264 a subscriber can receive", error["message"]!.GetValue<string>());

        var (ok, _) = await PostBytesAsync("publish", """{"channel":"api.large","data":2}"""u8.ToArray());
        Assert.Equal(HttpStatusCode.OK, ok);
        var message = await subscriber.ExpectMessageAsync("api.large");
        Assert.Equal(2, message["data"]!.GetValue<int>());
        Assert.Equal(1, message["offset"]!.GetValue<long>());
        Assert.True(subscriber.IsOpen);
    }

    [Theory]
    [InlineData("publish", "{\"channel\":\"api.utf8\",\"data\":{\"text\":\"", "\"}}")]
    [InlineData("send", "{\"user\":\"u\",\"channel\":\"api.utf8\",\"data\":\"", "\"}")]
    [InlineData("history", "{\"channel\":\"api.utf8", "\"}")]
    [InlineData("disconnect", "{\"user\":\"", "\"}")]
    public async Task A_body_with_invalid_utf8_gets_400_saying_so_and_publishes_nothing(string endpoint, string before, string after)
    {
        var body = (byte[])[.. Encoding.UTF8.GetBytes(before), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(after)];

        var (status, error) = await PostBytesAsync(endpoint, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("bad_request", error["code"]!.GetValue<string>());
        Assert.Equal("the body is not valid UTF-8", error["message"]!.GetValue<string>());
        Assert.Empty((await _server.Services.GetRequiredService<ISwitchboard>().GetHistoryAsync("api.utf8")).Publications);
    }

    [Fact]
    public async Task A_key_with_the_nats_bridges_prefix_gets_400()
    {
        var (status, error) = await PostBytesAsync("publish", """{"channel":"api.key","data":1,"key":"nats:evt-1"}"""u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("'key': keys starting with 'nats:' are reserved for the NATS bridge", error["message"]!.GetValue<string>());
    }
}
