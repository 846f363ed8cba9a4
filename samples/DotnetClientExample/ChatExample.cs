using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Client;
using Switchboard.Protocol;

namespace DotnetClientExample;

/// <summary>A chat message: the data published on the channel.</summary>
public sealed record ChatMessage(string User, string Text);

/// <summary>Source-generated serialization: no reflection, so the app can be trimmed or compiled ahead of time.</summary>
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(long))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class ChatJsonContext : JsonSerializerContext;

/// <summary>Connects, subscribes, publishes, reads history and calls an rpc.</summary>
public static class ChatExample
{
    public static async Task<int> RunAsync(Uri url, TextWriter output, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddSwitchboardClient(options =>
        {
            options.Url = url;
            // Called before every connection attempt and on token_expiring; null connects anonymously.
            options.TokenProvider = _ => ValueTask.FromResult(Environment.GetEnvironmentVariable("SWITCHBOARD_TOKEN"));
            options.Reconnect = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(20) };
            options.OfflineBufferSize = 1_000;
            options.OfflineBufferOverflow = OfflineBufferOverflow.DropOldest;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<SwitchboardClient>();

        client.StateChanged += (_, e) =>
        {
            var why = e.Disconnect is { } d ? $" (close {d.CloseCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}: {d.Reason})" : "";
            var retry = e.RetryIn is { } delay ? $", retrying in {delay.TotalMilliseconds:0} ms" : "";
            output.WriteLine($"state: {e.Previous} -> {e.Current}{why}{retry}");
        };

        try
        {
            await client.ConnectAsync(cancellationToken);
        }
        catch (SwitchboardConnectionException ex)
        {
            // A close the client does not reconnect from (e.g. 1008: the token was rejected).
            output.WriteLine($"could not connect: {ex.Message}");
            return 1;
        }

        // Handlers run one at a time, in offset order, and see each publication once, across reconnects.
        var threeReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0;
        await using var subscription = await client.SubscribeAsync("chat.general", (publication, _) =>
        {
            if (publication.FollowsGap)
            {
                output.WriteLine("some messages were lost while offline: reload the history");
            }

            output.WriteLine($"#{publication.Offset} {publication.Data.User}: {publication.Data.Text}");
            if (Interlocked.Increment(ref received) == 3)
            {
                threeReceived.TrySetResult();
            }

            return ValueTask.CompletedTask;
        }, ChatJsonContext.Default.ChatMessage, cancellationToken: cancellationToken);

        // Each publish carries an idempotency key: if the connection drops before the result, it is sent again
        // after the reconnect and still published once. While offline it waits in the buffer.
        for (var i = 1; i <= 3; i++)
        {
            var result = await client.PublishAsync("chat.general", new ChatMessage("ada", $"hello {i}"), ChatJsonContext.Default.ChatMessage, cancellationToken);
            output.WriteLine($"published at offset {result.Offset}");
        }

        await threeReceived.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

        var history = await client.HistoryAsync("chat.general", ChatJsonContext.Default.ChatMessage, new HistoryOptions { Limit = 10 }, cancellationToken);
        output.WriteLine($"history: {history.Publications.Count} messages, channel at offset {history.Position.Offset}");

        var presence = await client.PresenceAsync("chat.general", cancellationToken);
        output.WriteLine($"presence: {presence.Count} subscriber(s)");

        // `switchboard serve` registers the rpc method "time" (server time in unix milliseconds).
        var time = await client.RpcAsync("time", ChatJsonContext.Default.Int64, TimeSpan.FromSeconds(5), cancellationToken);
        output.WriteLine($"server time: {DateTimeOffset.FromUnixTimeMilliseconds(time):O}");

        // The async-enumerable form, replaying from a position: subscribed while the loop runs, unsubscribed after.
        // A client holds one subscription per channel, so the handler subscription ends first.
        await subscription.UnsubscribeAsync();
        var since = new StreamPosition(history.Position.Offset - 1, history.Position.Epoch);
        await foreach (var publication in client.StreamAsync("chat.general", ChatJsonContext.Default.ChatMessage, new SubscribeOptions { Since = since }, cancellationToken))
        {
            output.WriteLine($"replayed: #{publication.Offset} {publication.Data.Text}");
            break;
        }

        return 0;
    }
}
