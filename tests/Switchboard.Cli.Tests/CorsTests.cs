using System.Net;
using Switchboard.Cli.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary>
/// CORS on serve's HTTP API (<c>Switchboard:HttpApi:AllowedOrigins</c>): none by default, preflights answered for the
/// listed origins only, their responses carry <c>Access-Control-Allow-Origin</c>, and credentials are never allowed.
/// </summary>
public sealed class CorsTests
{
    private const string Key = "cors-test-api-key";
    private const string Admin = "https://admin.example.com";
    private const string Evil = "https://evil.example.com";

    [Fact]
    public async Task Without_allowed_origins_the_api_sends_no_cors_headers_and_answers_no_preflight()
    {
        using var server = await ServeProcess.StartAsync($"--Switchboard:HttpApi:Key={Key}");
        using var preflight = await PreflightAsync(server, Admin);
        Assert.NotEqual(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Empty(CorsHeaders(preflight));

        using var info = await InfoAsync(server, Admin);
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Empty(CorsHeaders(info));
    }

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_with_the_methods_and_headers_and_no_credentials()
    {
        using var server = await ServeProcess.StartAsync($"--Switchboard:HttpApi:Key={Key}", $"--Switchboard:HttpApi:AllowedOrigins:0={Admin}/", "--Switchboard:HttpApi:AllowedOrigins:1=http://localhost:3000");
        using var preflight = await PreflightAsync(server, Admin);
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(Admin, Single(preflight, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Single(preflight, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        var headers = Single(preflight, "Access-Control-Allow-Headers").ToLowerInvariant();
        Assert.Contains("x-api-key", headers, StringComparison.Ordinal);
        Assert.Contains("content-type", headers, StringComparison.Ordinal);
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.Contains("Origin", preflight.Headers.Vary);

        using var info = await InfoAsync(server, Admin);
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Equal(Admin, Single(info, "Access-Control-Allow-Origin"));
        Assert.False(info.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_preflight_from_an_origin_not_listed_is_refused_and_its_requests_get_no_cors_headers()
    {
        using var server = await ServeProcess.StartAsync($"--Switchboard:HttpApi:Key={Key}", $"--Switchboard:HttpApi:AllowedOrigins:0={Admin}");
        using var preflight = await PreflightAsync(server, Evil);
        Assert.Empty(CorsHeaders(preflight));

        using var info = await InfoAsync(server, Evil);
        Assert.Empty(CorsHeaders(info)); // The browser then keeps the page from reading the answer.

        // A header the API does not take is not among those allowed, so the browser does not send the request.
        using var unknownHeader = await PreflightAsync(server, Admin, requestHeaders: "x-api-key, x-something-else");
        Assert.DoesNotContain("x-something-else", Single(unknownHeader, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Any_origin_is_answered_with_a_star_and_never_with_credentials()
    {
        using var server = await ServeProcess.StartAsync($"--Switchboard:HttpApi:Key={Key}", "--Switchboard:HttpApi:AllowedOrigins:0=*");
        using var preflight = await PreflightAsync(server, Evil);
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("*", Single(preflight, "Access-Control-Allow-Origin"));
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Credentials"));

        using var info = await InfoAsync(server, Evil);
        Assert.Equal("*", Single(info, "Access-Control-Allow-Origin"));
        Assert.False(info.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    private static async Task<HttpResponseMessage> PreflightAsync(ServeProcess server, string origin, string requestHeaders = "content-type, x-api-key")
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "api/publish");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", requestHeaders);
        return await server.Http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> InfoAsync(ServeProcess server, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/info") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Origin", origin);
        request.Headers.Add("X-API-Key", Key);
        return await server.Http.SendAsync(request);
    }

    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.TryGetValues(header, out var values) ? values : []);

    private static List<string> CorsHeaders(HttpResponseMessage response) =>
        [.. response.Headers.Select(static h => h.Key).Where(static h => h.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase))];
}
