using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard serve</c> with a secret refuses correctly signed tokens of the wrong shape, as docs/security.md
/// says: a <c>crit</c> header (no extension is processed), or an <c>exp</c>, <c>nbf</c> or <c>iat</c> that is not a number.
/// </summary>
public sealed class ServeTokenShapeTests
{
    private const string Secret = "serve-token-shape-tests-secret-32-bytes!";
    private const string Plain = """{"alg":"HS256","typ":"JWT"}""";

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Fact]
    public async Task Serve_closes_tokens_with_a_crit_header_or_a_date_claim_that_is_not_a_number_with_1008()
    {
        using var server = await ServeProcess.StartAsync($"--Switchboard:Auth:Secret={Secret}");
        (string Token, string Reason)[] cases =
        [
            (Sign("""{"alg":"HS256","typ":"JWT","crit":["x-bound"],"x-bound":true}""", $$"""{"sub":"alice","exp":{{Now + 3600}}}"""), "unsupported crit header"),
            (Sign(Plain, $$"""{"sub":"alice","exp":"{{Now + 3600}}"}"""), "exp must be a number"),
            (Sign(Plain, $$"""{"sub":"alice","exp":{{Now + 3600}},"nbf":"{{Now - 60}}"}"""), "nbf must be a number"),
            (Sign(Plain, $$"""{"sub":"alice","exp":{{Now + 3600}},"iat":"{{Now}}"}"""), "iat must be a number"),
        ];
        foreach (var (token, reason) in cases)
        {
            await using var client = await RawWebSocketClient.ConnectAsync(server.WebSocketUri, new Dictionary<string, string> { ["Authorization"] = "Bearer " + token });
            Assert.Equal((1008, reason), await client.ReceiveCloseAsync(TimeSpan.FromSeconds(15)));
        }

        await using var proper = await RawWebSocketClient.ConnectAsync(server.WebSocketUri, new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer " + Sign(Plain, $$"""{"sub":"alice","exp":{{Now + 3600}},"nbf":{{Now - 60}},"iat":{{Now}}}"""),
        });
        Assert.Contains("welcome", await proper.ReceiveTextAsync(), StringComparison.Ordinal);
    }

    private static string Sign(string headerJson, string payloadJson)
    {
        var input = Base64UrlEncoder.Encode(headerJson) + "." + Base64UrlEncoder.Encode(payloadJson);
        return input + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(input)));
    }
}
