using System.Text.Json;
using Switchboard.Protocol;
using Switchboard.Server.Handlers;

namespace LiveUpdates;

/// <summary>
/// The one way events enter the sample: a subject (NATS style, e.g. <c>order.created</c>) and its data go to the
/// topic of every <see cref="EventRoute"/> whose pattern matches, as that route's message. <c>POST /api/events</c>
/// calls it, and so does <see cref="NatsEventIntake"/> for events from NATS. The topics' members
/// are reached on every node through the broker.
/// </summary>
public sealed class LiveEventBridge(HandlerClients<LiveUpdatesHandler> clients)
{
    private readonly EventRoute[] _routes = EventRoute.Seed;

    /// <summary>Whether <paramref name="subject"/> is a concrete subject (dot-separated tokens, no wildcards).</summary>
    public static bool IsSubject(string? subject) => subject is { Length: > 0 } && ChannelName.IsValid(subject);

    /// <summary>Sends the event to every matching route's topic; returns those topics (empty when none matched).</summary>
    public async ValueTask<List<string>> DeliverAsync(string subject, JsonElement data, CancellationToken cancellationToken = default)
    {
        var topics = new List<string>();
        foreach (var route in _routes)
        {
            if (route.Subject.Matches(subject))
            {
                await clients.Group(route.Topic).SendAsync(route.ToMessage(data), cancellationToken);
                topics.Add(route.Topic);
            }
        }

        return topics;
    }
}
