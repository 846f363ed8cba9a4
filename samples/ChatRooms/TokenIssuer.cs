using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChatRooms;

/// <summary>
/// Issues the tokens of <c>POST /api/generate-token</c>: HS256 JWTs with <c>sub</c> = the user id, valid for an hour
/// (the seed's <c>token_expiry</c>), signed with <c>Switchboard:Auth:Secret</c>, which Switchboard then validates
/// on <c>ws /ws?token=...</c>. Without a configured secret the sample makes a random one at start (tokens then
/// last until a restart; several nodes need the same <c>--Switchboard:Auth:Secret=...</c>).
/// </summary>
public sealed class TokenIssuer(string secret)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly SigningCredentials _credentials = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>Makes sure the configuration has a token secret and lets clients without a token in too.</summary>
    public static TokenIssuer Configure(ConfigurationManager configuration)
    {
        if (string.IsNullOrEmpty(configuration["Switchboard:Auth:Secret"]))
        {
            configuration["Switchboard:Auth:Secret"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        }

        configuration["Switchboard:Auth:AllowAnonymous"] ??= "true"; // The seed's chat welcomes clients without a token.
        return new TokenIssuer(configuration["Switchboard:Auth:Secret"]!);
    }

    /// <summary>A token for <paramref name="userId"/>.</summary>
    public string Issue(string userId) => _handler.CreateToken(new SecurityTokenDescriptor
    {
        Claims = new Dictionary<string, object> { ["sub"] = userId },
        Expires = DateTime.UtcNow.Add(Lifetime),
        SigningCredentials = _credentials,
    });
}
