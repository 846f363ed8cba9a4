using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard;
using Switchboard.Brokers;
using Switchboard.Presence;
using Switchboard.Server;
using Switchboard.Server.Handlers;
using Switchboard.Server.Handlers.Internal;
using Switchboard.Server.HttpApi;
using Switchboard.Server.Internal;
using Switchboard.Server.Security;
using Switchboard.Server.Security.Internal;
using Switchboard.Server.Transport;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Switchboard in an ASP.NET Core application.</summary>
public static class SwitchboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Switchboard server: options bound from the <c>Switchboard</c> configuration section and validated at
    /// start, the in-memory broker and presence store (unless another <see cref="IBroker"/> or <see cref="IPresenceStore"/> is registered), <see cref="ISwitchboard"/>, heartbeats and graceful drain.
    /// Map the built-in protocol with <c>app.MapSwitchboard("/ws")</c>, custom JSON protocols with
    /// <c>app.MapSwitchboardHandler&lt;THandler&gt;("/chat/{room_id}")</c>.
    /// </summary>
    public static IServiceCollection AddSwitchboard(this IServiceCollection services, Action<SwitchboardOptions>? configure = null)
    {
        services.AddOptions<SwitchboardOptions>().BindConfiguration(SwitchboardOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, SwitchboardOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, UnknownSettingsValidator>());
        services.AddSwitchboardSettings(SwitchboardOptions.SectionName, typeof(SwitchboardOptions));
        services.AddSwitchboardSettings(SwitchboardOptions.SectionName, typeof(SwitchboardSecurityOptions));
        services.AddSwitchboardSettings(SwitchboardHttpApiOptions.SectionName, typeof(SwitchboardHttpApiOptions));
        services.TryAddSingleton<IBroker, MemoryBroker>();
        services.TryAddSingleton<IPresenceStore, MemoryPresenceStore>();
        services.TryAddSingleton<Switchboard.Cluster.IClusterBus, Switchboard.Cluster.MemoryClusterBus>();
        services.TryAddSingleton<Switchboard.Server.Internal.Cluster.ClusterControl>();
        services.TryAddSingleton<SwitchboardServer>();
        services.TryAddSingleton<ISwitchboard>(static sp => sp.GetRequiredService<SwitchboardServer>());
        services.AddOptions<SwitchboardHttpApiOptions>().BindConfiguration(SwitchboardHttpApiOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardHttpApiOptions>, SwitchboardHttpApiOptionsValidator>());
        services.AddCors(); // The HTTP API's policy (Switchboard:HttpApi:AllowedOrigins); nothing applies it unless an endpoint asks.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>, HttpApiCorsPolicy>());
        services.AddSwitchboardSecurity();
        Switchboard.Server.Proxy.Internal.ProxyServices.AddSwitchboardProxy(services);
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>, FileDescriptorBudget>());
        services.TryAddSingleton(TimeProvider.System); // Heartbeats and token expiry; a test registers a fake one first.
        services.TryAddSingleton<SwitchboardNode>();
        services.TryAddSingleton<CommandDispatcher>();
        services.TryAddSingleton<BuiltInProtocol>();
        services.TryAddSingleton<ConnectionEndpoint>();
        services.TryAddSingleton<HandlerInstances>();
        services.TryAddSingleton(typeof(HandlerClients<>));
        services.AddHostedService<NodeLifetime>();
        services.AddHostedService<HeartbeatMonitor>();
        services.AddHostedService<TokenExpiryMonitor>();
        services.AddMetrics();
        services.TryAddSingleton<Switchboard.Server.Diagnostics.SwitchboardMetrics>();
        services.TryAddSingleton<NodeTraffic>(); // The admin page's view of the metrics, through the HTTP API's info.
        services.AddHealthChecks().AddCheck<Switchboard.Server.Health.NodeReadinessCheck>("switchboard", tags: [Switchboard.Server.Health.SwitchboardHealthChecks.Ready])
            .AddCheck<Switchboard.Server.Health.ProviderKeysCheck>("switchboard-keys", tags: [Switchboard.Server.Health.SwitchboardHealthChecks.Ready])
            .AddCheck<Switchboard.Server.Health.ProxyCheck>("switchboard-proxy", tags: [Switchboard.Server.Health.SwitchboardHealthChecks.Ready]);
        return services;
    }

    /// <summary>
    /// Declares that <paramref name="type"/> is bound at <paramref name="path"/> (under <c>Switchboard</c>), so that its
    /// keys pass the start-up check that stops the application on an unknown setting (a typo such as
    /// <c>Switchboard:Auth:Secert</c>). An options class declares its public properties; a scalar type (<c>bool</c>,
    /// <c>string</c>) one key read by itself. See <see cref="SwitchboardSettingsSection"/>.
    /// </summary>
    public static IServiceCollection AddSwitchboardSettings(this IServiceCollection services, string path, Type type)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(type);
        services.AddSingleton(new SwitchboardSettingsSection(path, type));
        return services;
    }

    /// <summary>
    /// Security: <see cref="SwitchboardSecurityOptions"/> bound from the <c>Switchboard</c> section and validated at
    /// start, and the channel authorizer the configuration asks for (unless the application registered its own).
    /// </summary>
    private static void AddSwitchboardSecurity(this IServiceCollection services)
    {
        services.AddOptions<SwitchboardSecurityOptions>().BindConfiguration(SwitchboardOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardSecurityOptions>, SwitchboardSecurityOptionsValidator>());
        services.TryAddSingleton<SecurityPolicy>();
        services.TryAddSingleton<ConnectionAdmission>();
        services.TryAddSingleton<AppSignIn>();
        services.TryAddSingleton<ProviderKeys>();
        services.AddHostedService<ProviderKeysLoader>();
        services.TryAddSingleton<OriginCheck>();
        services.TryAddSingleton(static sp => sp.GetRequiredService<SecurityPolicy>().CreateAuthorizer());
    }
}
