using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Switchboard.Server.HttpApi;

/// <summary>
/// The CORS policy <see cref="SwitchboardHttpApiOptions.CorsPolicyName"/>, built from
/// <c>Switchboard:HttpApi:AllowedOrigins</c> with ASP.NET Core's CORS: the listed origins (or any, for <c>*</c>), the
/// methods and headers the API and the samples' endpoints take, preflights cached for 10 minutes, and never
/// credentials, so <c>*</c> can never be combined with cookies.
/// </summary>
internal sealed class HttpApiCorsPolicy(IOptions<SwitchboardHttpApiOptions> options) : IConfigureOptions<CorsOptions>
{
    /// <summary>The request headers a cross-origin caller may send: the key (either form) and the JSON body's type.</summary>
    public static readonly string[] Headers = ["Authorization", "Content-Type", "X-API-Key"];

    public void Configure(CorsOptions cors) => cors.AddPolicy(SwitchboardHttpApiOptions.CorsPolicyName, policy =>
    {
        var origins = options.Value.AllowedOrigins;
        if (origins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins([.. origins.Select(static o => o.Trim().TrimEnd('/'))]);
        }

        policy.WithMethods("GET", "POST").WithHeaders(Headers).SetPreflightMaxAge(TimeSpan.FromMinutes(10));
    });
}
