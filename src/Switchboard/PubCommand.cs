using System.CommandLine;
using System.Text.Json;
using Switchboard.Client;
using ChannelName = Switchboard.Protocol.ChannelName;

namespace Switchboard.Host;

/// <summary>
/// <c>switchboard pub &lt;channel&gt; [json]</c>: publishes one JSON value, or each line of stdin as one JSON value,
/// in order. Each publish carries an idempotency key, so a reconnect in the middle publishes nothing twice.
/// </summary>
internal static class PubCommand
{
    private const int MaxInFlight = 1000;

    public static Command Create()
    {
        var channel = new Argument<string>("channel") { Description = "The channel to publish to." };
        var json = new Argument<string?>("json") { Description = "The JSON value to publish. Without it, each line of stdin is published.", Arity = ArgumentArity.ZeroOrOne };
        var shared = new ClientCommandOptions();
        var command = new Command("pub", "Publish a JSON value (or JSON lines from stdin) to a channel.") { channel, json };
        shared.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(channel)!;
            if (ChannelName.Validate(name, allowWildcards: false) is { } invalid)
            {
                await Console.Error.WriteLineAsync($"switchboard: invalid channel '{name}': {invalid}").ConfigureAwait(false);
                return 2;
            }

            SwitchboardClientOptions options;
            try
            {
                options = shared.Build(parse, new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(2), MaxAttempts = 10 });
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"switchboard: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            await using var client = new SwitchboardClient(options);
            ClientCommandOptions.ReportStateOnStderr(client);
            var inFlight = new Queue<Task<PublishResult>>();
            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                var lineNumber = 0;
                await foreach (var line in Lines(parse.GetValue(json), cancellationToken).ConfigureAwait(false))
                {
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line))
                    {
                        continue;
                    }

                    JsonElement value;
                    try
                    {
                        using var document = JsonDocument.Parse(line);
                        value = document.RootElement.Clone();
                    }
                    catch (JsonException)
                    {
                        await Console.Error.WriteLineAsync($"switchboard: line {lineNumber} is not valid JSON").ConfigureAwait(false);
                        await Task.WhenAll(inFlight).ConfigureAwait(false);
                        return 2;
                    }

                    // Pipelined: the connection keeps the order, so only the number in flight is bounded.
                    inFlight.Enqueue(client.PublishAsync(name, value, cancellationToken));
                    if (inFlight.Count >= MaxInFlight)
                    {
                        await inFlight.Dequeue().ConfigureAwait(false);
                    }
                }

                await Task.WhenAll(inFlight).ConfigureAwait(false);
                return 0;
            }
            catch (OperationCanceledException)
            {
                return 130;
            }
            catch (SwitchboardException ex)
            {
                await Console.Error.WriteLineAsync($"switchboard: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static async IAsyncEnumerable<string> Lines(string? argument, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (argument is not null)
        {
            yield return argument;
            yield break;
        }

        using var stdin = new StreamReader(Console.OpenStandardInput());
        while (await stdin.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            yield return line;
        }
    }
}
