using Microsoft.Extensions.Options;

namespace Switchboard.Server.HttpApi;

/// <summary>Checks <see cref="SwitchboardHttpApiOptions"/> at start: each allowed origin is <c>*</c> or an origin a browser sends.</summary>
internal sealed class SwitchboardHttpApiOptionsValidator : IValidateOptions<SwitchboardHttpApiOptions>
{
    public ValidateOptionsResult Validate(string? name, SwitchboardHttpApiOptions options)
    {
        var failures = new List<string>();
        foreach (var origin in options.AllowedOrigins)
        {
            if (origin != "*" && !IsOrigin(origin.Trim().TrimEnd('/')))
            {
                failures.Add($"{SwitchboardHttpApiOptions.SectionName}:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port], e.g. https://admin.example.com) or *.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Whether <paramref name="value"/> is what a browser sends as <c>Origin</c>: http(s), a host, maybe a port, nothing else.</summary>
    private static bool IsOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo);
}
