using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="SwitchboardClient"/> in a service collection.</summary>
public static class SwitchboardClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds one <see cref="SwitchboardClient"/> singleton configured by <paramref name="configure"/> (and any other
    /// configuration of <see cref="SwitchboardClientOptions"/>). The application calls
    /// <see cref="SwitchboardClient.ConnectAsync"/>; the container disposes the client.
    /// </summary>
    public static IServiceCollection AddSwitchboardClient(this IServiceCollection services, Action<SwitchboardClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SwitchboardClientOptions>().Configure(configure);
        services.TryAddSingleton(static provider => new SwitchboardClient(
            provider.GetRequiredService<IOptions<SwitchboardClientOptions>>().Value,
            provider.GetService<ILogger<SwitchboardClient>>()));
        return services;
    }
}
