using Switchboard.Server.Security;

namespace Switchboard.Host;

/// <summary>Secure by default: outside Development the server does not start open by accident.</summary>
internal static class ProductionSafety
{
    /// <summary>The one-line reason to refuse to start, or <see langword="null"/> when the configuration is safe to run.</summary>
    public static string? Check(IHostEnvironment environment, SwitchboardSecurityOptions security)
    {
        if (environment.IsDevelopment() || security.HasAuthKey || security.Auth.AllowAnonymous == true)
        {
            return null;
        }

        return $"refusing to start in the {environment.EnvironmentName} environment without authentication: " +
            "set Switchboard:Auth:Secret (or PublicKeyPem, PublicKeyFile, JwksFile), or Switchboard:Auth:AllowAnonymous=true to run without tokens on purpose.";
    }
}
