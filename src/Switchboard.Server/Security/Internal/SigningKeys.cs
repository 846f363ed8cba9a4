using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Switchboard.Server.Security.Internal;

/// <summary>
/// Loads the keys tokens are checked with from <see cref="SwitchboardAuthOptions"/>, and the algorithms they enable:
/// HS256 for the secret, RS256 for RSA keys, ES256 for EC P-256 keys. No other algorithm is ever accepted.
/// </summary>
internal static class SigningKeys
{
    public const string Hs256 = SecurityAlgorithms.HmacSha256;
    public const string Rs256 = SecurityAlgorithms.RsaSha256;
    public const string Es256 = SecurityAlgorithms.EcdsaSha256;

    /// <summary>The shortest HS256 secret accepted: 256 bits, as RFC 7518 requires for HS256.</summary>
    public const int MinSecretBytes = 32;

    /// <summary>Loads the configured keys; throws <see cref="InvalidOperationException"/> with a message naming the setting.</summary>
    public static (IReadOnlyList<SecurityKey> Keys, IReadOnlyList<string> Algorithms) Load(SwitchboardAuthOptions options)
    {
        var keys = new List<SecurityKey>();
        var algorithms = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(options.Secret))
        {
            var secret = Encoding.UTF8.GetBytes(options.Secret);
            if (secret.Length < MinSecretBytes)
            {
                throw new InvalidOperationException($"Switchboard:Auth:Secret must be at least {MinSecretBytes} bytes long for HS256.");
            }

            keys.Add(new SymmetricSecurityKey(secret));
            algorithms.Add(Hs256);
        }

        if (!string.IsNullOrWhiteSpace(options.PublicKeyPem))
        {
            AddPem(options.PublicKeyPem, "Switchboard:Auth:PublicKeyPem", keys, algorithms);
        }

        if (!string.IsNullOrWhiteSpace(options.PublicKeyFile))
        {
            AddPem(ReadFile(options.PublicKeyFile, "Switchboard:Auth:PublicKeyFile"), "Switchboard:Auth:PublicKeyFile", keys, algorithms);
        }

        if (!string.IsNullOrWhiteSpace(options.JwksFile))
        {
            AddJwks(ReadFile(options.JwksFile, "Switchboard:Auth:JwksFile"), keys, algorithms);
        }

        return (keys, algorithms.ToArray());
    }

    private static string ReadFile(string path, string setting)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidOperationException($"{setting}: cannot read '{path}' ({ex.GetType().Name}).");
        }
    }

    private static void AddPem(string pem, string setting, List<SecurityKey> keys, HashSet<string> algorithms)
    {
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            // The server only verifies; a private key here means a secret was copied where it does not belong.
            throw new InvalidOperationException($"{setting} must be a public key, not a private key.");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            if (rsa.KeySize < 2048)
            {
                throw new InvalidOperationException($"{setting}: RSA keys must have at least 2048 bits.");
            }

            keys.Add(new RsaSecurityKey(rsa));
            algorithms.Add(Rs256);
            return;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }

        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            ec.Dispose();
            throw new InvalidOperationException($"{setting} is not a PEM RSA or EC public key.");
        }

        if (ec.KeySize != 256)
        {
            ec.Dispose();
            throw new InvalidOperationException($"{setting}: EC keys must be on the P-256 curve (ES256).");
        }

        keys.Add(new ECDsaSecurityKey(ec));
        algorithms.Add(Es256);
    }

    private static void AddJwks(string json, List<SecurityKey> keys, HashSet<string> algorithms)
    {
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException("Switchboard:Auth:JwksFile is not a valid JWKS document.");
        }

        var before = keys.Count;
        foreach (var key in set.Keys)
        {
            if (key.Kty == JsonWebAlgorithmsKeyTypes.RSA && string.IsNullOrEmpty(key.D))
            {
                algorithms.Add(Rs256);
                keys.Add(key);
            }
            else if (key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && key.Crv == JsonWebKeyECTypes.P256 && string.IsNullOrEmpty(key.D))
            {
                algorithms.Add(Es256);
                keys.Add(key);
            }
        }

        if (keys.Count == before)
        {
            throw new InvalidOperationException("Switchboard:Auth:JwksFile holds no RSA or EC P-256 public key.");
        }
    }
}
