using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Samples;

/// <summary>
/// The optional key of a sample's backend endpoint: with <c>--Switchboard:HttpApi:Key=KEY</c> a request must send
/// <c>Authorization: Bearer KEY</c> (401 otherwise); without it the endpoint is open, as in the seeds, which is only
/// for a machine of one's own.
/// </summary>
internal static class BearerKey
{
    /// <summary>The response refusing <paramref name="request"/>, or <see langword="null"/> when it may go on.</summary>
    public static IResult? Refusal(HttpRequest request, string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        // Hashes compared in constant time: neither the key nor its length leaks through timing.
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(request.Headers.Authorization.ToString()));
        return CryptographicOperations.FixedTimeEquals(given, SHA256.HashData(Encoding.UTF8.GetBytes($"Bearer {key}")))
            ? null
            : Problem.Result("Unauthorized", "send Authorization: Bearer <Switchboard:HttpApi:Key>", StatusCodes.Status401Unauthorized);
    }
}
