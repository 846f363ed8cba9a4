using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Handlers;
using Switchboard.Server.Handlers.Internal;
using Switchboard.Server.Internal;
using Switchboard.Server.Security.Internal;
using Switchboard.Server.Transport;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps custom JSON protocol handlers on Switchboard's connection core.</summary>
public static class SwitchboardHandlerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <typeparamref name="THandler"/> at <paramref name="pattern"/>, a route template whose parameters (as in
    /// <c>/chat/{room_id}</c> or <c>/ws/{client_id}</c>) reach the handler in <see cref="HandlerConnection.RouteValues"/>.
    /// The handler is taken from DI when registered there, otherwise created once (its constructor's parameters come
    /// from DI); mapping the same handler twice uses one instance. <paramref name="configure"/> runs after the
    /// handler's own <see cref="SwitchboardHandler.Configure"/>. The handler class's attributes (<c>[Authorize]</c>,
    /// <c>[EnableCors]</c>) become the endpoint's metadata. Requires <c>AddSwitchboard</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapSwitchboardHandler<THandler>(this IEndpointRouteBuilder endpoints, string pattern, Action<HandlerOptions>? configure = null)
        where THandler : SwitchboardHandler
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var services = endpoints.ServiceProvider;
        var endpoint = SwitchboardEndpointRouteBuilderExtensions.RequireSwitchboard(services, "MapSwitchboardHandler");
        var handler = services.GetRequiredService<HandlerInstances>().GetOrCreate<THandler>(services);
        var options = new HandlerOptions();
        handler.Configure(options);
        configure?.Invoke(options);

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(THandler));
        var appSignIn = services.GetService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>() is not null;
        var protocol = new HandlerProtocol(handler, options, services.GetRequiredService<SwitchboardNode>(), services.GetRequiredService<SecurityPolicy>(), appSignIn, logger);
        var pipeline = endpoints.CreateApplicationBuilder();
        pipeline.Use(CoalescingUpgrade.InstallAsync); // Before UseWebSockets, which captures the upgrade feature.
        pipeline.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        pipeline.Run(context => endpoint.HandleAsync(context, protocol));
        var builder = endpoints.Map(pattern, pipeline.Build()).WithDisplayName($"Switchboard handler {typeof(THandler).Name}");

        // The handler class's attributes ([Authorize], [AllowAnonymous], [EnableCors], ...) apply to its endpoint, as a
        // SignalR hub's do: the authorization and CORS middleware and the Origin check read them from the metadata.
        builder.WithMetadata(typeof(THandler).GetCustomAttributes(inherit: true));
        return builder;
    }
}
