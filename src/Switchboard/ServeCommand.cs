using System.CommandLine;
using Microsoft.Extensions.Options;
using Switchboard.Server;
using Switchboard.Server.Security;

namespace Switchboard.Host;

/// <summary><c>switchboard serve</c>: runs a standalone Switchboard server.</summary>
internal static partial class ServeCommand
{
    public const string DefaultUrls = "http://localhost:8000";

    /// <summary>Kestrel's inline scheduling and socket completions on the I/O thread (default on).</summary>
    public const string InlineSchedulingKey = "Switchboard:InlineScheduling";

    /// <summary>The default address with <c>--cert</c>: the same port, with TLS.</summary>
    public const string DefaultHttpsUrls = "https://localhost:8000";

    public static Command Create()
    {
        var options = new ServeCommandOptions();
        var command = new Command("serve", "Run the Switchboard server. Any --Section:Key=value flag sets a configuration value, e.g. --Switchboard:HistorySize=100.");
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var startup = ServeStartup.Prepare(options, parse);
            if (!startup.IsValid)
            {
                await startup.WriteOneLineAsync(parse.InvocationConfiguration.Error).ConfigureAwait(false);
                return startup.ExitCode;
            }

            var app = startup.App!;
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OptionsValidationException ex)
            {
                // Validated in Prepare already; an options class resolved first at start (a hosted service's) lands here.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"switchboard: invalid configuration: {string.Join(" ", ex.Failures)}").ConfigureAwait(false);
                return ServeStartup.Invalid;
            }

            await app.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>The application of <see cref="CreateApp"/> with its endpoints mapped, as serve runs it.</summary>
    public static WebApplication BuildApp(string urls, FileInfo? configFile, string[] configArgs, ServeExtras? extras = null)
    {
        var app = CreateApp(urls, configFile, configArgs, extras);
        MapEndpoints(app);
        return app;
    }

    /// <summary>Builds the server application: configuration, logging, Switchboard and its settings; no endpoint yet (<see cref="MapEndpoints"/>).</summary>
    public static WebApplication CreateApp(string urls, FileInfo? configFile, string[] configArgs, ServeExtras? extras = null)
    {
        extras ??= new ServeExtras();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = configArgs,
            ContentRootPath = Directory.GetCurrentDirectory(),
            EnvironmentName = HostEnvironment.Default(urls, configArgs),
        });

        // The working directory's appsettings.json, then --config, then the environment and flags: later sources win,
        // so the last two are added again after --config.
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(configFile.FullName, optional: false);
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddCommandLine(configArgs);
        }

        builder.WebHost.UseUrls(urls);

        // Switchboard:InlineScheduling (default true in serve) runs Kestrel's socket I/O continuations on the I/O
        // thread instead of hopping through its scheduler: one thread hop less per send, measured in
        // docs/performance.md (run 6). It is "unsafe" for applications whose handlers block, since they would then
        // block socket I/O; serve runs only Switchboard's own code, which never blocks, so it is on here. An
        // application embedding Switchboard decides for itself (UseSockets in its own Program.cs). The same setting
        // runs the socket layer's completions on its epoll threads (SocketCompletions), which Kestrel's inline
        // scheduling needs to save the hop for received data too; no socket is opened before this line.
        var inline = builder.Configuration.GetValue<bool?>(InlineSchedulingKey) ?? true;
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = inline);
        if (inline)
        {
            SocketCompletions.PreferInline();
        }

        if (extras.Certificate is { } certificate)
        {
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        }

        ServeLogging.Configure(builder.Logging, extras.LogFormat);
        ServeTelemetry.Add(builder);
        builder.Services.AddSwitchboard(options => options.AddRpc("time", static (_, _) =>
            ValueTask.FromResult(System.Text.Json.JsonSerializer.SerializeToElement(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), HostJsonContext.Default.Int64))));
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{Switchboard.Redis.SwitchboardRedisOptions.SectionName}:Configuration"]))
        {
            // Several nodes behave as one through this Redis (docs/scaling.md); without it, one node in memory.
            builder.Services.AddSwitchboardRedis();
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{Switchboard.Nats.SwitchboardNatsOptions.SectionName}:Url"]))
        {
            builder.Services.AddSwitchboardNats(); // NATS subjects bridged to channels (docs/nats.md)
        }

        // Every key serve reads under Switchboard, so that the start-up check stops on anything else (a typo). Redis
        // and NATS are known even when off: their sections turn them on, and a misspelt key there must stop too.
        builder.Services.AddSwitchboardSettings(Switchboard.Redis.SwitchboardRedisOptions.SectionName, typeof(Switchboard.Redis.SwitchboardRedisOptions));
        builder.Services.AddSwitchboardSettings(Switchboard.Nats.SwitchboardNatsOptions.SectionName, typeof(Switchboard.Nats.SwitchboardNatsOptions));
        builder.Services.AddSwitchboardSettings(InlineSchedulingKey, typeof(bool));
        builder.Services.AddSwitchboardSettings(ServeTelemetry.OtlpEndpointKey, typeof(string));

        return builder.Build();
    }

    /// <summary>Maps the endpoint, health, metrics, the HTTP API (with a key) and the pages (<see cref="WebPages"/>); reads, and so validates, the options.</summary>
    public static void MapEndpoints(WebApplication app)
    {
        app.UseCors(); // Only endpoints that ask for a policy get CORS headers: the HTTP API, with Switchboard:HttpApi:AllowedOrigins.
        app.MapSwitchboard("/ws");
        app.MapSwitchboardHealthChecks(); // /health/live and /health/ready, for load balancers and Kubernetes (docs/deploy.md).
        ServeTelemetry.Map(app); // /metrics for Prometheus (docs/observability.md).
        if (!string.IsNullOrEmpty(app.Configuration["Switchboard:HttpApi:Key"]))
        {
            app.MapSwitchboardApi("/api"); // Only with a key: the backend API is never open by accident.
        }

        WebPages.Map(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard");
            var security = app.Services.GetRequiredService<IOptions<SwitchboardSecurityOptions>>().Value;
            if (security.IsOpenDevelopmentMode)
            {
                LogDevelopmentMode(logger);
            }
            else
            {
                LogSecured(logger, app.Environment.EnvironmentName, security.HasAuthKey ? "tokens required" + (security.Auth.AllowAnonymous == true ? " (anonymous allowed)" : string.Empty) : "anonymous clients", security.Channels.Count);
            }

            var inline = app.Configuration.GetValue<bool?>(InlineSchedulingKey) ?? true;
            LogSocketIo(logger, inline ? "on" : "off", SocketCompletions.IsInline() ? "on the I/O thread" : "on the thread pool");
            LogListening(logger, string.Join(", ", app.Urls));
        });
    }

    [LoggerMessage(100, LogLevel.Warning, "Running in open development mode: no auth is configured, so anonymous clients may subscribe, publish, read history and presence on every channel. Configure authentication before exposing this server.")]
    private static partial void LogDevelopmentMode(ILogger logger);

    [LoggerMessage(310, LogLevel.Information, "Environment {Environment}: {Authentication}, {RuleCount} channel rules.")]
    private static partial void LogSecured(ILogger logger, string environment, string authentication, int ruleCount);

    [LoggerMessage(102, LogLevel.Information, "Socket I/O: Kestrel inline scheduling {Scheduling}, socket completions {Completions} (Switchboard:InlineScheduling, " + SocketCompletions.Variable + ").")]
    private static partial void LogSocketIo(ILogger logger, string scheduling, string completions);

    [LoggerMessage(101, LogLevel.Information, "Switchboard listening on {Urls} (WebSocket endpoint /ws, pages at /).")]
    private static partial void LogListening(ILogger logger, string urls);
}
