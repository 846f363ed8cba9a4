using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Switchboard.Samples.Tests.Infrastructure;

/// <summary>HS256 test tokens, as the seeds' auth services issue them, for a random per-test secret.</summary>
public sealed class Tokens
{
    /// <summary>The secret, given to a sample as <c>--Switchboard:Auth:Secret=...</c>.</summary>
    public string Secret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The flag that configures the secret.</summary>
    public string SecretFlag => $"--Switchboard:Auth:Secret={Secret}";

    /// <summary>A token valid for an hour with <paramref name="claims"/>.</summary>
    public string Create(Dictionary<string, object> claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Claims = claims,
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256),
    });

    /// <summary>
    /// A correctly signed HS256 token with exactly this header and payload JSON, for shapes no token library writes
    /// (an <c>exp</c> that is a string, a <c>crit</c> header).
    /// </summary>
    public string Sign(string headerJson, string payloadJson)
    {
        var input = Base64UrlEncoder.Encode(headerJson) + "." + Base64UrlEncoder.Encode(payloadJson);
        return input + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(input)));
    }
}
