using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using Switchboard.Server;

namespace LiveUpdates;

/// <summary>
/// Events from NATS, as the seed's service got them: with <c>--Switchboard:Nats:Url=nats://HOST:4222</c> the sample
/// subscribes to each route's subject pattern (<c>order.*</c>, <c>payment.completed</c>) in the queue group
/// <c>--LiveUpdates:NatsQueueGroup</c> (default <c>live-updates</c>), so each event is taken by one node of a cluster and
/// reaches every node's subscribers through the broker. Each message's payload (JSON) goes to
/// <see cref="LiveEventBridge.DeliverAsync"/> with its subject, as <c>POST /api/events</c> does.
/// </summary>
public sealed partial class NatsEventIntake(LiveEventBridge bridge, IConfiguration configuration, IOptions<LiveUpdatesOptions> options, ILogger<NatsEventIntake> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queueGroup = options.Value.NatsQueueGroup;
        await using var nats = new NatsConnection(new NatsOpts { Url = configuration["Switchboard:Nats:Url"]!, Name = "LiveUpdates" });
        try
        {
            await Task.WhenAll(EventRoute.Seed.Select(route => TakeInAsync(nats, route.Subject.Value, queueGroup, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task TakeInAsync(NatsConnection nats, string subject, string queueGroup, CancellationToken cancellationToken)
    {
        // The client restores the subscription after a reconnect by itself; the loop ends on shutdown.
        await using var subscription = await nats.SubscribeCoreAsync<byte[]>(subject, queueGroup, cancellationToken: cancellationToken);
        await nats.PingAsync(cancellationToken); // The server has the subscription once it answers.
        LogSubscribed(logger, subject, queueGroup);
        await foreach (var message in subscription.Msgs.ReadAllAsync(cancellationToken))
        {
            JsonElement data;
            try
            {
                // Valid UTF-8 first: JsonDocument does not look inside strings, and the bytes go to every subscriber.
                using var document = Utf8.IsValid(message.Data) ? JsonDocument.Parse(message.Data ?? []) : throw new JsonException();
                data = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                LogNotJson(logger, message.Subject);
                continue;
            }

            try
            {
                await bridge.DeliverAsync(message.Subject, data, cancellationToken);
            }
            catch (PublicationTooLargeException ex)
            {
                LogTooLarge(logger, message.Subject, ex.Size, ex.Limit); // an event no subscriber could receive
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "NATS: taking events of {Subject} in queue group {QueueGroup}")]
    private static partial void LogSubscribed(ILogger logger, string subject, string queueGroup);

    [LoggerMessage(2, LogLevel.Warning, "NATS: an event on {Subject} is not JSON in valid UTF-8; skipped")]
    private static partial void LogNotJson(ILogger logger, string subject);

    [LoggerMessage(3, LogLevel.Warning, "NATS: an event on {Subject} makes a message of {Size} bytes, more than the {Limit} subscribers can receive; skipped")]
    private static partial void LogTooLarge(ILogger logger, string subject, int size, int limit);
}
