using System.Net;
using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>
/// The samples' HTTP endpoints answer CORS with the HTTP API's policy (<c>Switchboard:HttpApi:AllowedOrigins</c>,
/// applied by the shared hosting code): nothing by default, the listed origins' preflights and requests when set.
/// </summary>
public sealed class SampleCorsTests
{
    private const string Admin = "https://admin.example.com";

    [Fact]
    public async Task A_sample_endpoint_answers_the_preflight_of_an_allowed_origin_and_not_of_another()
    {
        await using var running = await SampleProcess.StartAsync("TopicManager", $"--Switchboard:HttpApi:AllowedOrigins:0={Admin}");
        using var http = new HttpClient { BaseAddress = running.BaseUri, Timeout = TimeSpan.FromSeconds(60) };

        using var allowed = await PreflightAsync(http, Admin);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(Admin, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.False(allowed.Headers.Contains("Access-Control-Allow-Credentials"));

        using var refused = await PreflightAsync(http, "https://evil.example.com");
        Assert.Null(Header(refused, "Access-Control-Allow-Origin"));

        using var publish = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = new StringContent("""{"topic":"news","message":"hi"}""", System.Text.Encoding.UTF8, "application/json") };
        publish.Headers.Add("Origin", Admin);
        using var published = await http.SendAsync(publish);
        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);
        Assert.Equal(Admin, Header(published, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_allowed_origins_a_sample_sends_no_cors_headers()
    {
        await using var running = await SampleProcess.StartAsync("TopicManager");
        using var http = new HttpClient { BaseAddress = running.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        using var preflight = await PreflightAsync(http, Admin);
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
        Assert.DoesNotContain(preflight.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<HttpResponseMessage> PreflightAsync(HttpClient http, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/publish");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type, authorization");
        return await http.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
