using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard.Nats;
using Switchboard.Nats.Internal;
using Switchboard.Server;
using Switchboard.Server.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Bridges NATS subjects and Switchboard channels by configuration.</summary>
public static class SwitchboardNatsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the NATS bridge: options bound from the <c>Switchboard:Nats</c> section (then <paramref name="configure"/>)
    /// and validated at start, a background service that takes NATS messages in as channel publications and
    /// forwards channel publications to NATS, <see cref="NatsBridgeStatus"/>, a readiness health check named
    /// <c>nats</c> (tag <c>ready</c>) and its metrics on the <c>Switchboard</c> meter. Call with <c>AddSwitchboard</c>.
    /// </summary>
    public static IServiceCollection AddSwitchboardNats(this IServiceCollection services, Action<SwitchboardNatsOptions>? configure = null)
    {
        var options = services.AddOptions<SwitchboardNatsOptions>().BindConfiguration(SwitchboardNatsOptions.SectionName).ValidateOnStart();
        services.AddSingleton(new Switchboard.SwitchboardSettingsSection(SwitchboardNatsOptions.SectionName, typeof(SwitchboardNatsOptions))); // Its keys pass the unknown-setting check.
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardNatsOptions>, SwitchboardNatsOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<NatsBridgeStatus>();
        services.TryAddSingleton<NatsBridgeMetrics>();
        services.TryAddSingleton<NatsForwarder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPublicationObserver, NatsForwarder>(static sp => sp.GetRequiredService<NatsForwarder>()));
        services.AddHostedService<NatsBridgeService>();
        services.AddHealthChecks().AddCheck<NatsBridgeHealthCheck>("nats", tags: [SwitchboardHealthChecks.Ready]); // counts for /health/ready
        return services;
    }
}
