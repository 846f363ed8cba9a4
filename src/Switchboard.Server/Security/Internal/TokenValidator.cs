using System.Buffers.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Protocol;

namespace Switchboard.Server.Security.Internal;

/// <summary>The outcome of checking a token: an identity, or a short message that says why not (never key material).</summary>
internal readonly record struct TokenCheck(ConnectionIdentity? Identity, string? Error)
{
    public bool IsValid => Identity is not null;

    public static TokenCheck Invalid(string error) => new(null, error);
}

/// <summary>
/// Validates JWTs with <see cref="JsonWebTokenHandler"/> against the configured keys, restricted to the algorithms those
/// keys enable, and turns the claims <c>sub</c>, <c>roles</c>, <c>channels</c>, <c>info</c> and <c>exp</c> into a
/// <see cref="ConnectionIdentity"/>. Claims of the wrong shape (<c>exp</c>, <c>nbf</c> or <c>iat</c> not a number
/// included) and a <c>crit</c> header make the token invalid rather than being guessed at.
/// </summary>
/// <remarks>Thread safety: safe from many threads.</remarks>
internal sealed class TokenValidator
{
    /// <summary>The longest <c>sub</c> accepted.</summary>
    public const int MaxUserIdLength = 256;

    private static readonly string[] NumericDateClaims = ["exp", "nbf", "iat"];

    private readonly JsonWebTokenHandler _handler;
    private readonly TokenValidationParameters _parameters;
    private readonly int _maxTokenLength;

    public TokenValidator(SwitchboardAuthOptions options)
    {
        var (keys, algorithms) = SigningKeys.Load(options);
        _maxTokenLength = options.MaxTokenLength;
        ClockSkew = options.ClockSkew;
        _handler = new JsonWebTokenHandler { MaximumTokenSizeInBytes = options.MaxTokenLength, MapInboundClaims = false };
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = algorithms,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            // A key matched by kid only: with no kid, every configured key is tried, never one of another algorithm.
            TryAllIssuerSigningKeys = true,
            ValidateIssuer = !string.IsNullOrEmpty(options.Issuer),
            ValidIssuer = options.Issuer,
            ValidateAudience = !string.IsNullOrEmpty(options.Audience),
            ValidAudience = options.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = options.RequireExpiration,
            ClockSkew = options.ClockSkew,
        };
    }

    /// <summary>The clock skew tolerated on <c>exp</c>; a live connection lasts until <c>exp</c> + skew.</summary>
    public TimeSpan ClockSkew { get; }

    public async ValueTask<TokenCheck> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenCheck.Invalid("token is empty");
        }

        if (token.Length > _maxTokenLength)
        {
            return TokenCheck.Invalid("token is too long");
        }

        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or JsonException or FormatException)
        {
            // The handler reports failures in its result; this only catches what a malformed token makes escape it.
            return TokenCheck.Invalid("malformed token");
        }

        if (!result.IsValid)
        {
            return TokenCheck.Invalid(Describe(result.Exception));
        }

        if (result.SecurityToken is not JsonWebToken jwt)
        {
            return TokenCheck.Invalid("malformed token");
        }

        // RFC 7515 4.1.11: a token whose crit names extensions the recipient does not process is invalid. We process
        // none, and the handler ignores crit, so any crit header refuses the token.
        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return TokenCheck.Invalid("unsupported crit header");
        }

        try
        {
            return ReadClaims(jwt);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            // The handler parsed this payload already; this only guards against a payload it reads more leniently.
            return TokenCheck.Invalid("malformed token");
        }
    }

    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no exp",
        SecurityTokenInvalidAlgorithmException => "token algorithm not allowed",
        SecurityTokenInvalidIssuerException => "invalid issuer",
        SecurityTokenInvalidAudienceException => "invalid audience",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "invalid signature",
        SecurityTokenMalformedException => "malformed token",
        _ => "invalid token",
    };

    private static TokenCheck ReadClaims(JsonWebToken jwt)
    {
        // The payload's own JSON, not the handler's claim mapping: a claim of the wrong type must fail, not be coerced.
        var payload = new byte[Base64Url.GetMaxDecodedLength(jwt.EncodedPayload.Length)];
        if (Base64Url.DecodeFromChars(jwt.EncodedPayload, payload, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return TokenCheck.Invalid("malformed token");
        }

        using var document = JsonDocument.Parse(payload.AsMemory(0, written));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return TokenCheck.Invalid("malformed token");
        }

        // The handler reads a NumericDate given as a string ("exp":"1700000000") as the number; RFC 7519 says it is a
        // JSON number, so any other shape makes the token invalid.
        foreach (var name in NumericDateClaims)
        {
            if (root.TryGetProperty(name, out var date) && date.ValueKind != JsonValueKind.Number)
            {
                return TokenCheck.Invalid($"{name} must be a number");
            }
        }

        if (!root.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String || sub.GetString() is not { Length: > 0 and <= MaxUserIdLength } userId)
        {
            return TokenCheck.Invalid("token has no valid sub");
        }

        var roles = new HashSet<string>(StringComparer.Ordinal);
        if (root.TryGetProperty("roles", out var rolesClaim))
        {
            if (rolesClaim.ValueKind != JsonValueKind.Array)
            {
                return TokenCheck.Invalid("roles must be an array of strings");
            }

            foreach (var role in rolesClaim.EnumerateArray())
            {
                if (role.ValueKind != JsonValueKind.String)
                {
                    return TokenCheck.Invalid("roles must be an array of strings");
                }

                roles.Add(role.GetString()!);
            }
        }

        List<ChannelPattern>? channels = null;
        if (root.TryGetProperty("channels", out var channelsClaim))
        {
            if (channelsClaim.ValueKind != JsonValueKind.Array)
            {
                return TokenCheck.Invalid("channels must be an array of channel patterns");
            }

            channels = [];
            foreach (var channel in channelsClaim.EnumerateArray())
            {
                if (channel.ValueKind != JsonValueKind.String || !ChannelPattern.TryParse(channel.GetString()!, out var pattern, out _))
                {
                    return TokenCheck.Invalid("channels must be an array of channel patterns");
                }

                channels.Add(pattern);
            }
        }

        ReadOnlyMemory<byte> info = default;
        if (root.TryGetProperty("info", out var infoClaim))
        {
            if (infoClaim.ValueKind != JsonValueKind.Object)
            {
                return TokenCheck.Invalid("info must be an object");
            }

            info = System.Text.Encoding.UTF8.GetBytes(infoClaim.GetRawText());
        }

        DateTimeOffset? expires = jwt.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc));
        return new TokenCheck(new ConnectionIdentity { UserId = userId, Roles = roles, AllowedChannels = channels, Info = info, ExpiresAt = expires, Claims = root.Clone() }, null);
    }
}
