using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Server.HttpApi;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Switchboard HTTP API for backends.</summary>
public static class SwitchboardHttpApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the HTTP API under <paramref name="prefix"/> (default <c>/api</c>): <c>POST publish, broadcast, send,
    /// disconnect, presence, history, channels, info</c>, each taking and returning a JSON object (docs/http-api.md).
    /// Separate from <c>MapSwitchboard</c> because it is for backends, not browsers: map it only where backends can
    /// reach it. Every request needs the key from <c>Switchboard:HttpApi:Key</c>; mapping without one throws. With
    /// <c>Switchboard:HttpApi:AllowedOrigins</c>, the group gets the CORS policy
    /// <see cref="SwitchboardHttpApiOptions.CorsPolicyName"/>, which needs <c>app.UseCors()</c> in the pipeline.
    /// </summary>
    public static RouteGroupBuilder MapSwitchboardApi(this IEndpointRouteBuilder endpoints, string prefix = "/api")
    {
        var api = ActivatorUtilities.CreateInstance<SwitchboardHttpApi>(endpoints.ServiceProvider);
        var group = endpoints.MapGroup(prefix);
        Map(group, "publish", api.PublishAsync);
        Map(group, "broadcast", api.BroadcastAsync);
        Map(group, "send", api.SendAsync);
        Map(group, "disconnect", api.DisconnectAsync);
        Map(group, "presence", api.PresenceAsync);
        Map(group, "history", api.HistoryAsync);
        Map(group, "channels", api.ChannelsAsync);
        Map(group, "info", api.InfoAsync);
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<SwitchboardHttpApiOptions>>().Value.AllowedOrigins.Count > 0)
        {
            // Only then: with no origins, no CORS metadata, so preflights get 405 and no response any CORS header.
            group.RequireCors(SwitchboardHttpApiOptions.CorsPolicyName);
        }

        return group;
    }

    private static void Map(RouteGroupBuilder group, string name, RequestDelegate handler) =>
        group.MapPost(name, handler).WithDisplayName($"Switchboard API {name}");
}
