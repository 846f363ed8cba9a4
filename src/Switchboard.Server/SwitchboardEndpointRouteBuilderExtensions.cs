using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Internal;
using Switchboard.Server.Transport;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Switchboard WebSocket endpoint.</summary>
public static class SwitchboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the Switchboard WebSocket endpoint at <paramref name="pattern"/> (default <c>/ws</c>). The endpoint brings
    /// its own WebSocket middleware, so the application need not call <c>UseWebSockets</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapSwitchboard(this IEndpointRouteBuilder endpoints, string pattern = "/ws")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var endpoint = RequireSwitchboard(endpoints.ServiceProvider, nameof(MapSwitchboard));
        var protocol = endpoints.ServiceProvider.GetRequiredService<BuiltInProtocol>();
        var pipeline = endpoints.CreateApplicationBuilder();
        pipeline.Use(CoalescingUpgrade.InstallAsync); // Before UseWebSockets, which captures the upgrade feature.
        pipeline.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        pipeline.Run(context => endpoint.HandleAsync(context, protocol));
        return endpoints.Map(pattern, pipeline.Build()).WithDisplayName("Switchboard WebSocket");
    }

    /// <summary>The connection core, or the error that says what is missing when <c>AddSwitchboard</c> was not called.</summary>
    internal static ConnectionEndpoint RequireSwitchboard(IServiceProvider services, string method) =>
        services.GetService<ConnectionEndpoint>()
        ?? throw new InvalidOperationException($"{method} needs Switchboard's services: call builder.Services.AddSwitchboard() before building the application.");
}
