using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>
/// The samples' backend endpoints refuse what would hurt their subscribers: a 1 MB body (413; broadcast, it was
/// larger than each subscriber's queue and closed them all with 4003), a body that is not <c>application/json</c>
/// (415: a page on any origin can post <c>text/plain</c>), and invalid UTF-8 (400, not a 500 with a stack trace).
/// A monitor subscriber stays connected throughout and gets the next valid broadcast.
/// </summary>
public sealed class SampleIntakeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SensorStream_readings_refuse_large_non_json_and_invalid_utf8_bodies_and_the_monitor_stays()
    {
        await using var sample = await SampleProcess.StartAsync("SensorStream");
        using var monitor = await MonitorAsync(sample.WebSocketUri("/api/ws/sensor/stream"));
        static string Reading(string extras) =>
            $$"""{"sensor_id":1,"type":"moisture_level","location":"wall","value":75.5,"unit":"%","extras_json":{{extras}},"timestamp":"2024-01-15T12:00:00Z"}""";

        await AssertRefusalsAsync(sample, "/api/sensors/readings", Reading, null);
        await PostAsync(sample, "/api/sensors/readings", Reading("""{"battery":90}"""), HttpStatusCode.Created);
        Assert.Contains("\"type\":\"sensor_reading\"", await ReceiveUntilAsync(monitor, "\"sensor_reading\""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopicManager_publish_refuses_large_non_json_and_invalid_utf8_bodies_and_the_subscriber_stays()
    {
        await using var sample = await SampleProcess.StartAsync("TopicManager");
        using var monitor = await MonitorAsync(sample.WebSocketUri("/ws/monitor"));
        await SendAsync(monitor, """{"type":"subscribe","topic":"alerts"}""");
        await SendAsync(monitor, """{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", await ReceiveUntilAsync(monitor, "pong")); // the subscribe is done
        static string Publish(string message) => $$"""{"topic":"alerts","message":{{message}}}""";

        await AssertRefusalsAsync(sample, "/api/publish", Publish, null);
        await PostAsync(sample, "/api/publish", Publish("""{"level":"high"}"""), HttpStatusCode.Accepted);
        Assert.Equal("""{"level":"high"}""", await ReceiveUntilAsync(monitor, "level"));
    }

    [Fact]
    public async Task LiveUpdates_events_refuse_large_non_json_and_invalid_utf8_bodies_and_the_subscriber_stays()
    {
        var tokens = new Tokens();
        await using var sample = await SampleProcess.StartAsync("LiveUpdates", tokens.SecretFlag, "--Switchboard:HttpApi:Key=backend-key");
        var token = tokens.Create(new() { ["sub"] = "u-9", ["username"] = "ivy", ["roles"] = new[] { "user" } });
        using var monitor = await MonitorAsync(sample.WebSocketUri($"/ws?token={token}"));
        Assert.Contains("authenticated", await ReceiveUntilAsync(monitor, "authenticated"), StringComparison.Ordinal);
        await SendAsync(monitor, """{"type":"subscribe","topics":["orders"]}""");
        await ReceiveUntilAsync(monitor, "subscribed");
        static string Event(string data) => $$"""{"subject":"order.created","data":{{data}}}""";

        await AssertRefusalsAsync(sample, "/api/events", Event, "backend-key");
        await PostAsync(sample, "/api/events", Event("""{"order_id":1}"""), HttpStatusCode.Accepted, "backend-key");
        Assert.Equal("""{"type":"order_update","data":{"order_id":1}}""", await ReceiveUntilAsync(monitor, "order_update"));
    }

    /// <summary>413 for a 1 MB body, 400 for invalid UTF-8, 415 for text/plain: none with a stack trace. Every refusal is checked before the test fails.</summary>
    private static async Task AssertRefusalsAsync(SampleProcess sample, string path, Func<string, string> body, string? key)
    {
        var poison = Encoding.UTF8.GetBytes(body("\"@\""));
        poison[Array.IndexOf(poison, (byte)'@')] = 0xC3; // C3 followed by '"': an invalid UTF-8 sequence inside a string
        var cases = new (byte[] Body, string ContentType, HttpStatusCode Status, string Says)[]
        {
            (Encoding.UTF8.GetBytes(body($"{{\"blob\":\"{new string('x', 1_000_000)}\"}}")), "application/json", HttpStatusCode.RequestEntityTooLarge, "at most 523264 bytes"),
            (poison, "application/json", HttpStatusCode.BadRequest, "the body is not valid UTF-8"),
            (Encoding.UTF8.GetBytes(body("""{"n":1}""")), "text/plain", HttpStatusCode.UnsupportedMediaType, "application/json"),
        };
        var wrong = new List<string>();
        foreach (var (content, contentType, status, says) in cases)
        {
            var (answered, text) = await PostAsync(sample, path, content, contentType, key);
            if (answered != status || !text.Contains(says, StringComparison.Ordinal) || text.Contains("   at ", StringComparison.Ordinal))
            {
                wrong.Add($"POST {path} ({contentType}, {content.Length} bytes): expected {(int)status} saying '{says}', got {(int)answered} {text[..Math.Min(text.Length, 300)]}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static async Task PostAsync(SampleProcess sample, string path, string json, HttpStatusCode expected, string? key = null)
    {
        var (status, text) = await PostAsync(sample, path, Encoding.UTF8.GetBytes(json), "application/json", key);
        Assert.True(expected == status, $"POST {path}: {(int)status} {text}");
    }

    private static async Task<(HttpStatusCode Status, string Text)> PostAsync(SampleProcess sample, string path, byte[] body, string contentType, string? key)
    {
        using var http = new HttpClient { BaseAddress = sample.BaseUri, Timeout = Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new(contentType);
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<ClientWebSocket> MonitorAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return socket;
    }

    private static async Task SendAsync(ClientWebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>Reads messages until one contains <paramref name="marker"/>; fails if the socket closes first.</summary>
    private static async Task<string> ReceiveUntilAsync(ClientWebSocket socket, string marker)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                Assert.True(result.MessageType != WebSocketMessageType.Close, $"the subscriber was closed: {socket.CloseStatus} {socket.CloseStatusDescription}");
                length += result.Count;
            }
            while (!result.EndOfMessage);
            var text = Encoding.UTF8.GetString(buffer, 0, length);
            if (text.Contains(marker, StringComparison.Ordinal))
            {
                Assert.NotNull(JsonNode.Parse(text));
                return text;
            }
        }
    }
}
