using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Testing;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary><c>serve --cert --key</c> and Kestrel's certificate configuration give <c>wss://</c>, with a certificate made here.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Serve_with_cert_and_key_pem_files_accepts_wss()
    {
        using var directory = new TempDirectory();
        using var certificate = SelfSigned();
        await WritePemAsync(certificate, directory.File("cert.pem"), directory.File("key.pem"));

        using var server = await ServeProcess.StartAsync(["--cert", "cert.pem", "--key", "key.pem"], null, "https://127.0.0.1:0", directory.Path);
        Assert.Equal("https", server.HttpBase.Scheme);
        await AssertWssWelcomesAsync(server.WebSocketUri, certificate);
    }

    [Fact]
    public async Task Kestrel_endpoint_configuration_with_a_pem_certificate_serves_wss()
    {
        using var directory = new TempDirectory();
        using var certificate = SelfSigned();
        await WritePemAsync(certificate, directory.File("cert.pem"), directory.File("key.pem"));
        var environment = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Https__Url"] = "https://127.0.0.1:0",
            ["Kestrel__Endpoints__Https__Certificate__Path"] = directory.File("cert.pem"),
            ["Kestrel__Endpoints__Https__Certificate__KeyPath"] = directory.File("key.pem"),
        };

        using var server = await ServeProcess.StartAsync([], environment, "http://localhost:8000", directory.Path);
        Assert.Equal("https", server.HttpBase.Scheme);
        await AssertWssWelcomesAsync(server.WebSocketUri, certificate);
    }

    [Fact]
    public async Task A_certificate_without_its_key_stops_serve_with_a_message()
    {
        using var directory = new TempDirectory();
        using var certificate = SelfSigned();
        await File.WriteAllTextAsync(directory.File("cert.pem"), certificate.ExportCertificatePem());
        using var process = ChildProcess.Switchboard(["serve", "--urls", "https://127.0.0.1:0", "--cert", "cert.pem"], workingDirectory: directory.Path);
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("--key", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    /// <summary>Connects with wss://, trusting exactly <paramref name="expected"/>, and expects the welcome.</summary>
    private static async Task AssertWssWelcomesAsync(Uri uri, X509Certificate2 expected)
    {
        Assert.Equal("wss", uri.Scheme);
        X509Certificate? presented = null;
        await using var client = await SwitchboardTestClient.ConnectAsync(uri, o => o.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            presented = cert;
            return cert is not null && cert.GetCertHashString() == expected.GetCertHashString();
        });
        var welcome = client.Welcome;
        Assert.NotNull(welcome["client"]);
        Assert.Equal(expected.GetCertHashString(), presented?.GetCertHashString());
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=switchboard-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static async Task WritePemAsync(X509Certificate2 certificate, string certPath, string keyPath)
    {
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }
}
