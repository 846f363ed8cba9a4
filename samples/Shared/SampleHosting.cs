using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.HttpApi;

namespace Switchboard.Samples;

/// <summary>
/// What every sample does the same way to start: its seed's default address, one-line console logs, Redis when
/// <c>--Switchboard:Redis:Configuration=host:port</c> is given (as <c>switchboard serve</c> does), and a log line with
/// the address it listens on once Kestrel is bound (tests wait for it; with port 0 it names the port picked), and the
/// operations endpoints <c>switchboard serve</c> has: <c>/metrics</c> for Prometheus (the <c>Switchboard</c> meter with
/// ASP.NET Core's and Kestrel's) and <c>/health/live</c>, <c>/health/ready</c> (<see cref="MapOperationsEndpoints"/>).
/// </summary>
internal static partial class SampleHosting
{
    /// <summary>Applies the sample defaults. <paramref name="defaultUrls"/> is the address the seed's clients use, taken when no <c>--urls</c> is given.</summary>
    public static WebApplicationBuilder UseSampleDefaults(this WebApplicationBuilder builder, string defaultUrls)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(defaultUrls);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        if (!string.IsNullOrWhiteSpace(builder.Configuration["Switchboard:Redis:Configuration"]))
        {
            // Several nodes of the sample behave as one through this Redis (docs/scaling.md).
            builder.Services.AddSwitchboardRedis();
        }

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(SwitchboardMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>
    /// Maps <c>/metrics</c> (Prometheus text), <c>/health/live</c> and <c>/health/ready</c>, as <c>switchboard serve</c>
    /// does (docs/observability.md, docs/deploy.md), and with <c>--Switchboard:HttpApi:AllowedOrigins:0=ORIGIN</c> answers
    /// CORS for the sample's HTTP endpoints with the HTTP API's policy (docs/http-api.md#cors); without it, no CORS headers.
    /// </summary>
    public static WebApplication MapOperationsEndpoints(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<SwitchboardHttpApiOptions>>().Value.AllowedOrigins.Count > 0)
        {
            app.UseCors(SwitchboardHttpApiOptions.CorsPolicyName);
        }

        app.MapSwitchboardHealthChecks();
        app.MapPrometheusScrapingEndpoint("/metrics");

        // Created now rather than with the first connection, so that the first scrape already has the Switchboard gauges.
        app.Services.GetRequiredService<SwitchboardMetrics>();
        return app;
    }

    /// <summary>Logs "<paramref name="sample"/> listening on URL" when the server has started.</summary>
    public static WebApplication LogListeningAddress(this WebApplication app, string sample)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
            LogListening(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(sample), sample, string.Join(", ", app.Urls)));
        return app;
    }

    [LoggerMessage(1, LogLevel.Information, "{Sample} listening on {Urls}")]
    private static partial void LogListening(ILogger logger, string sample, string urls);
}
