using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Switchboard.Client;
using ChannelName = Switchboard.Protocol.ChannelName;
using StreamPosition = Switchboard.Protocol.StreamPosition;

namespace Switchboard.Host;

/// <summary>
/// <c>switchboard sub &lt;channel&gt;</c>: subscribes and prints every publication as one JSON line on stdout
/// (<c>{"channel","offset","epoch","data"}</c>, plus <c>"follows_gap": true</c> on the first one after publications that
/// were lost for good), reconnecting and recovering as the client SDK does. Status goes to stderr.
/// </summary>
internal static class SubCommand
{
    public static Command Create()
    {
        var channel = new Argument<string>("channel") { Description = "The channel or wildcard pattern (e.g. chat.general, sensors.>)." };
        var count = new Option<int?>("--count") { Description = "Exit after this many publications." };
        var fromStart = new Option<bool>("--from-start") { Description = "Print the retained history first." };
        var dataOnly = new Option<bool>("--data-only") { Description = "Print only each publication's data." };
        var shared = new ClientCommandOptions();
        var command = new Command("sub", "Subscribe to a channel and print its publications as JSON lines.") { channel, count, fromStart, dataOnly };
        shared.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(channel)!;
            if (ChannelName.Validate(name, allowWildcards: true) is { } invalid)
            {
                await Console.Error.WriteLineAsync($"switchboard: invalid channel '{name}': {invalid}").ConfigureAwait(false);
                return 2;
            }

            SwitchboardClientOptions options;
            try
            {
                // A subscriber retries for ever: it is meant to outlive server restarts.
                options = shared.Build(parse, new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(10) });
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"switchboard: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            await using var client = new SwitchboardClient(options);
            ClientCommandOptions.ReportStateOnStderr(client);
            var limit = parse.GetValue(count);
            var onlyData = parse.GetValue(dataOnly);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            // Ctrl+C and SIGTERM end the subscription with a proper close (1000) rather than killing the connection.
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                done.Cancel();
            }

            using var stdout = Console.OpenStandardOutput();
            var printed = 0;
            try
            {
                await client.ConnectAsync(done.Token).ConfigureAwait(false);
                var since = parse.GetValue(fromStart) ? new SubscribeOptions { Since = new StreamPosition(0, "") } : null;
                await using var subscription = await client.SubscribeAsync(name, (publication, _) =>
                {
                    Print(stdout, publication, onlyData);
                    if (++printed == limit)
                    {
                        done.Cancel();
                    }

                    return ValueTask.CompletedTask;
                }, since, done.Token).ConfigureAwait(false);
                subscription.Resubscribed += (_, e) =>
                {
                    // Never a silent jump: the next line carries "follows_gap": true.
                    if (!e.Recovered && !subscription.IsWildcard)
                    {
                        Console.Error.WriteLine($"switchboard: publications on {name} were lost and could not be recovered (the server's history no longer holds them)");
                    }
                };
                await Console.Error.WriteLineAsync($"switchboard: subscribed to {name}").ConfigureAwait(false);
                await Task.WhenAny(subscription.Completion, Task.Delay(Timeout.Infinite, done.Token)).ConfigureAwait(false);
                if (subscription.Completion.IsFaulted)
                {
                    await Console.Error.WriteLineAsync($"switchboard: {subscription.Completion.Exception!.InnerException!.Message}").ConfigureAwait(false);
                    return 1;
                }

                return 0;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
            catch (SwitchboardException ex)
            {
                await Console.Error.WriteLineAsync($"switchboard: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static void Print(Stream stdout, Publication<JsonElement> publication, bool dataOnly)
    {
        using (var writer = new Utf8JsonWriter(stdout))
        {
            if (dataOnly)
            {
                publication.Data.WriteTo(writer);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteString("channel", publication.Channel);
                writer.WriteNumber("offset", publication.Offset);
                writer.WriteString("epoch", publication.Epoch);
                writer.WritePropertyName("data");
                publication.Data.WriteTo(writer);
                if (publication.FollowsGap)
                {
                    writer.WriteBoolean("follows_gap", true);
                }

                writer.WriteEndObject();
            }
        }

        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }
}
