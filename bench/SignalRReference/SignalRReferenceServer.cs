using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace Switchboard.Bench.SignalRReference;

/// <summary>
/// The SignalR side of a like-for-like comparison: a hub with the same subscribe/publish as Switchboard (a channel is
/// a SignalR group), in its default configuration, with logging off as in the Switchboard bench server.
/// </summary>
public static class SignalRReferenceServer
{
    /// <summary>The hub's path.</summary>
    public const string HubPath = "/hub";

    /// <summary>Builds the server; <paramref name="args"/> take <c>--urls</c> (default http://127.0.0.1:5100).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (builder.Configuration["urls"] is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5100");
        }

        builder.Logging.ClearProviders();
        builder.Services.AddSignalR();
        var app = builder.Build();
        app.MapHub<BenchHub>(HubPath);
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"SignalR reference hub listening on {string.Join(", ", app.Urls)}{HubPath}"));
        return app;
    }
}

/// <summary>Subscribe = join the channel's group; publish = send to the group; Time = the rpc.</summary>
public sealed class BenchHub : Hub
{
    /// <summary>Joins the channel's group.</summary>
    public Task Subscribe(string channel) => Groups.AddToGroupAsync(Context.ConnectionId, channel);

    /// <summary>Sends <paramref name="data"/> to every member of the channel's group (serialized once per protocol by SignalR).</summary>
    public Task Publish(string channel, JsonElement data) => Clients.Group(channel).SendAsync("message", channel, data);

    /// <summary>Request/response: the server's clock.</summary>
    public long Time() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
