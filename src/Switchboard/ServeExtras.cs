using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Host;

/// <summary>What <c>serve</c>'s own flags add to the server beyond the configuration: TLS and the log format.</summary>
internal sealed class ServeExtras
{
    /// <summary>The certificate of <c>--cert</c>/<c>--key</c> for https addresses, or <see langword="null"/>.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary><see cref="ServeLogging.Text"/> or <see cref="ServeLogging.Json"/>.</summary>
    public string LogFormat { get; set; } = ServeLogging.Text;
}
