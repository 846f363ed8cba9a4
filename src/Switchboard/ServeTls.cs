using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Host;

/// <summary>
/// <c>serve --cert FILE --key FILE</c>: a PEM certificate (with its chain) and private key for the <c>https://</c>
/// addresses in <c>--urls</c>, so clients connect with <c>wss://</c>. Kestrel's own configuration
/// (<c>Kestrel:Endpoints:...:Certificate</c>) works as well and wins for the endpoints it names.
/// </summary>
internal static class ServeTls
{
    /// <summary>Loads the certificate, or returns the one-line reason it cannot be used.</summary>
    public static X509Certificate2? Load(FileInfo certificate, FileInfo? key, out string? error)
    {
        error = null;
        if (key is null && !File.ReadAllText(certificate.FullName).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            error = $"--cert {certificate.Name} holds no private key; give it with --key FILE.";
            return null;
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificate.FullName, key?.FullName);
            if (!pem.HasPrivateKey)
            {
                error = $"--cert {certificate.Name} holds no private key; give it with --key FILE.";
                return null;
            }

            // Re-imported as PKCS#12 so the key is usable by the TLS stack on every platform (an ephemeral PEM key is
            // refused by Windows' SChannel); on Linux this is cheap.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (CryptographicException ex)
        {
            error = $"could not load the certificate {certificate.Name}{(key is null ? string.Empty : " with the key " + key.Name)}: {ex.Message}";
            return null;
        }
    }

    /// <summary>Whether any of <paramref name="urls"/> is an https address.</summary>
    public static bool HasHttpsUrl(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(static u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
}
