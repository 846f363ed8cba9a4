using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchboard.Server.Tests.Security;

/// <summary>
/// Builds JWTs by hand (header, payload, signature), so that tests can make every kind of wrong token: claims of the
/// wrong type, <c>alg: none</c>, a key of the wrong kind. Valid tokens built here are checked by the real validator.
/// </summary>
public static class Jwt
{
    public const string Issuer = "switchboard-tests";
    public const string Audience = "switchboard";

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Claims of a well-formed token for <paramref name="sub"/> valid for an hour.</summary>
    public static JsonObject Claims(string? sub, params string[] roles)
    {
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["iat"] = Now,
            ["exp"] = Now + 3600,
            ["roles"] = new JsonArray([.. roles.Select(r => (JsonNode)r)]),
        };
        if (sub is not null)
        {
            claims["sub"] = sub;
        }

        return claims;
    }

    public static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    public static string Hs256(byte[] key, JsonObject claims, string alg = "HS256")
    {
        var input = Encode(new JsonObject { ["alg"] = alg, ["typ"] = "JWT" }) + "." + Encode(claims);
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)));
    }

    public static string Rs256(RSA key, JsonObject claims, string? kid = null)
    {
        var input = Encode(Header("RS256", kid)) + "." + Encode(claims);
        return input + "." + Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>RS256 with extra header parameters (such as <c>crit</c>) beside <c>alg</c> and <c>typ</c>.</summary>
    public static string Rs256(RSA key, JsonObject claims, JsonObject extraHeader)
    {
        var header = Header("RS256", null);
        foreach (var (name, value) in extraHeader)
        {
            header[name] = value?.DeepClone();
        }

        var input = Encode(header) + "." + Encode(claims);
        return input + "." + Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public static string Es256(ECDsa key, JsonObject claims, string? kid = null)
    {
        var input = Encode(Header("ES256", kid)) + "." + Encode(claims);
        return input + "." + Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    public static string None(JsonObject claims) => Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }) + "." + Encode(claims) + ".";

    private static JsonObject Header(string alg, string? kid)
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        return header;
    }
}
