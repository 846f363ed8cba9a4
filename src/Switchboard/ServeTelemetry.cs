using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Host;

/// <summary>
/// OpenTelemetry for <c>serve</c>: the <c>Switchboard</c> meter (with ASP.NET Core's and Kestrel's) on a Prometheus
/// scrape endpoint at <c>/metrics</c>, and, when an OTLP endpoint is configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// or <c>Switchboard:Otlp:Endpoint</c>), metrics and the <c>Switchboard</c> activity source's spans over OTLP too.
/// </summary>
internal static class ServeTelemetry
{
    public const string OtlpEndpointKey = "Switchboard:Otlp:Endpoint";

    public static void Add(WebApplicationBuilder builder)
    {
        var otlp = builder.Configuration[OtlpEndpointKey] is { Length: > 0 } endpoint ? endpoint : builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("switchboard", serviceInstanceId: builder.Configuration["Switchboard:NodeId"]))
            .WithMetrics(metrics => metrics
                .AddMeter(SwitchboardMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            // Spans only when they go somewhere: a tracer provider without an exporter would still sample and build
            // a span per command (measured in the echo profile) for nobody.
            telemetry.WithTracing(tracing => tracing.AddSource(SwitchboardActivities.SourceName));
            telemetry.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, new Uri(otlp));
        }
    }

    public static void Map(WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");
}
