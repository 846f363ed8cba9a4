using System.Net;

namespace Switchboard.Host;

/// <summary>
/// Which environment <c>switchboard</c> runs in when none is given. ASP.NET Core would say Production, which for a
/// developer's <c>switchboard serve</c> on a fresh machine means refusing to start without keys. So: an environment
/// set by <c>ASPNETCORE_ENVIRONMENT</c>, <c>DOTNET_ENVIRONMENT</c> or <c>--environment</c> always wins; otherwise a
/// server listening on loopback addresses only is Development, and one listening anywhere else is Production.
/// </summary>
internal static class HostEnvironment
{
    /// <summary>The environment to impose, or <see langword="null"/> when one was given explicitly.</summary>
    public static string? Default(string urls, IReadOnlyList<string> configArgs)
    {
        if (IsExplicit(configArgs))
        {
            return null;
        }

        return ListensOnLoopbackOnly(urls) ? Environments.Development : Environments.Production;
    }

    public static bool IsExplicit(IReadOnlyList<string> configArgs) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"))
        || configArgs.Any(a => a.TrimStart('-', '/').Split('=', 2)[0].Equals("environment", StringComparison.OrdinalIgnoreCase));

    public static bool ListensOnLoopbackOnly(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcard hosts (*, +) are not valid URI hosts; anything that does not parse is not loopback.
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                return false;
            }

            var host = uri.Host;
            if (!host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !(IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address)))
            {
                return false;
            }
        }

        return true;
    }
}
