namespace Switchboard.Server.HttpApi;

/// <summary>
/// Settings of the HTTP API for backends (<c>app.MapSwitchboardApi("/api")</c>), bound from the
/// <c>Switchboard:HttpApi</c> configuration section.
/// </summary>
public sealed class SwitchboardHttpApiOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Switchboard:HttpApi";

    /// <summary>
    /// The API key every request must carry, as <c>Authorization: apikey &lt;key&gt;</c> or <c>X-API-Key: &lt;key&gt;</c>.
    /// Required: mapping the API without a key fails at start, so that it is never open by accident.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>The name of the CORS policy built from <see cref="AllowedOrigins"/> (for <c>app.UseCors(name)</c> on endpoints of your own).</summary>
    public const string CorsPolicyName = "Switchboard.HttpApi";

    /// <summary>
    /// Browser origins (<c>https://admin.example.com</c>: scheme, host and port) whose pages may call the API across
    /// origins: their CORS preflights are answered and their responses carry <c>Access-Control-Allow-Origin</c>.
    /// <c>*</c> allows every origin. Credentials (cookies) are never allowed: the API takes its key in a header.
    /// Empty (the default): no CORS headers at all, so browsers keep other origins' pages from reading the API.
    /// Needs <c>app.UseCors()</c> in the pipeline (serve has it).
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>The largest request body accepted, in bytes; larger ones get 413 <c>too_large</c>. Default 1 MiB.</summary>
    public int MaxBodySize { get; set; } = 1024 * 1024;
}
