using System.CommandLine;
using Microsoft.Extensions.Options;
using Switchboard.Server.HttpApi;
using Switchboard.Server.Security;

namespace Switchboard.Host;

/// <summary>
/// <c>switchboard check-config</c>: reads the configuration <c>serve</c> would (same files, environment, flags),
/// validates every setting on serve's own path (<see cref="ServeStartup"/>) without listening, and exits 0 with a
/// one-line summary, or 2 with every reason on stderr (unknown keys with the nearest setting, invalid values, the
/// refusal to run unprotected outside Development).
/// </summary>
internal static class CheckConfigCommand
{
    public static Command Create()
    {
        var options = new ServeCommandOptions();
        var command = new Command("check-config", "Validate the configuration serve would run with (appsettings.json, --config, environment, --Section:Key=value flags) without starting it. Exit 0: valid; 2: invalid, with the reasons on stderr.");
        options.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            await using var startup = ServeStartup.Prepare(options, parse);
            if (!startup.IsValid)
            {
                await startup.WriteListAsync(parse.InvocationConfiguration.Error).ConfigureAwait(false);
                return ServeStartup.Invalid;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync($"switchboard: the configuration is valid: {Summary(startup.App!)}.").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>What serve would run: the environment, who gets in, the channel rules, scale-out and the HTTP API.</summary>
    private static string Summary(WebApplication app)
    {
        var security = app.Services.GetRequiredService<IOptions<SwitchboardSecurityOptions>>().Value;
        var api = app.Services.GetRequiredService<IOptions<SwitchboardHttpApiOptions>>().Value;
        var parts = new List<string>
        {
            $"{app.Environment.EnvironmentName} environment",
            security.IsOpenDevelopmentMode ? "open development mode (no authentication)"
                : security.HasAuthKey ? "tokens required" + (security.Auth.AllowAnonymous == true ? " (anonymous allowed)" : string.Empty)
                : "anonymous clients",
            security.Channels.Count == 1 ? "1 channel rule" : $"{security.Channels.Count} channel rules",
            string.IsNullOrWhiteSpace(app.Configuration[$"{Switchboard.Redis.SwitchboardRedisOptions.SectionName}:Configuration"]) ? "one node in memory" : "Redis scale-out",
        };
        if (!string.IsNullOrWhiteSpace(app.Configuration[$"{Switchboard.Nats.SwitchboardNatsOptions.SectionName}:Url"]))
        {
            parts.Add("NATS bridge");
        }

        if (!string.IsNullOrEmpty(api.Key))
        {
            parts.Add(api.AllowedOrigins.Count == 0 ? "HTTP API at /api" : $"HTTP API at /api (CORS for {string.Join(", ", api.AllowedOrigins)})");
        }

        return string.Join(", ", parts);
    }
}
