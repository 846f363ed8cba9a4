using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests;

public sealed record ChatMessage(string Text, int Seq);

[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(int))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>The client's commands against a real server, with typed data through a source-generated context.</summary>
public sealed class ClientBasicsTests : IAsyncLifetime
{
    private ServerHost _server = null!;

    public async Task InitializeAsync() => _server = await ServerHost.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private SwitchboardClient NewClient(Action<SwitchboardClientOptions>? configure = null)
    {
        var options = new SwitchboardClientOptions { Url = _server.WebSocketUri };
        configure?.Invoke(options);
        return new SwitchboardClient(options);
    }

    [Fact]
    public async Task Publishes_and_receives_typed_data_with_a_source_generated_context()
    {
        await using var client = NewClient();
        await client.ConnectAsync().OrTimeout();
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.NotNull(client.ClientId);

        var received = new TaskCompletionSource<Publication<ChatMessage>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await client.SubscribeAsync("chat.general", (p, _) =>
        {
            received.TrySetResult(p);
            return ValueTask.CompletedTask;
        }, TestJsonContext.Default.ChatMessage);

        var result = await client.PublishAsync("chat.general", new ChatMessage("hello", 1), TestJsonContext.Default.ChatMessage);
        var publication = await received.Task.OrTimeout();
        Assert.Equal("hello", publication.Data.Text);
        Assert.Equal(result.Offset, publication.Offset);
        Assert.Equal("chat.general", publication.Channel);
        Assert.Equal(client.ClientId, publication.From?.Client);
        Assert.False(publication.FollowsGap);
        Assert.Equal(publication.Position, subscription.Position);
    }

    [Fact]
    public async Task The_async_enumerable_form_yields_in_order_and_unsubscribes_when_it_ends()
    {
        await using var client = NewClient();
        await client.ConnectAsync().OrTimeout();
        using var cts = new CancellationTokenSource(Wait.Default);
        var seen = new List<int>();
        var started = new TaskCompletionSource();
        var reader = Task.Run(async () =>
        {
            await foreach (var p in client.StreamAsync("stream.a", TestJsonContext.Default.ChatMessage, new SubscribeOptions { Since = new StreamPosition(0, "") }, cts.Token))
            {
                seen.Add(p.Data.Seq);
                if (seen.Count == 20)
                {
                    break;
                }
            }
        });

        for (var i = 1; i <= 20; i++)
        {
            await client.PublishAsync("stream.a", new ChatMessage("m", i), TestJsonContext.Default.ChatMessage);
        }

        await reader.OrTimeout();
        Assert.Equal(Enumerable.Range(1, 20), seen);

        // The subscription is gone: subscribing again is allowed.
        await using var again = await client.SubscribeAsync("stream.a", (_, _) => ValueTask.CompletedTask);
    }

    [Fact]
    public async Task History_presence_and_rpc_work_and_errors_become_command_exceptions()
    {
        await using var client = NewClient();
        await client.ConnectAsync().OrTimeout();
        await using var subscription = await client.SubscribeAsync("room.1", (_, _) => ValueTask.CompletedTask);
        for (var i = 1; i <= 5; i++)
        {
            await client.PublishAsync("room.1", new ChatMessage("h", i), TestJsonContext.Default.ChatMessage);
        }

        var history = await client.HistoryAsync("room.1", TestJsonContext.Default.ChatMessage, new HistoryOptions { Limit = 3 });
        Assert.Equal([3, 4, 5], history.Publications.Select(p => p.Data.Seq));
        Assert.Equal(5, history.Position.Offset);

        var presence = await client.PresenceAsync("room.1");
        Assert.Equal(client.ClientId, Assert.Single(presence).Client);

        var echoed = await client.RpcAsync("echo", 42, TestJsonContext.Default.Int32, TestJsonContext.Default.Int32, TimeSpan.FromSeconds(5));
        Assert.Equal(42, echoed);

        var error = await Assert.ThrowsAsync<SwitchboardCommandException>(() => client.RpcAsync("nope", TestJsonContext.Default.Int32));
        Assert.Equal(ErrorCodes.NotFound, error.Code);

        await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync("bad..channel", JsonDocument.Parse("1").RootElement));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SubscribeAsync("room.1", (_, _) => ValueTask.CompletedTask));
    }

    [Fact]
    public async Task Wildcard_subscriptions_receive_matching_channels()
    {
        await using var client = NewClient();
        await client.ConnectAsync().OrTimeout();
        var collector = new Collector();
        await using var subscription = await client.SubscribeAsync("sensors.>", collector.Handler);
        await client.PublishAsync("sensors.a.t", JsonDocument.Parse("1").RootElement);
        await client.PublishAsync("other", JsonDocument.Parse("2").RootElement);
        await client.PublishAsync("sensors.b", JsonDocument.Parse("3").RootElement);
        var items = await collector.WaitForAsync(2);
        Assert.Equal(["sensors.a.t", "sensors.b"], items.Select(p => p.Channel));
    }

    [Fact]
    public async Task A_connect_to_nowhere_with_limited_attempts_gives_up_with_the_reason()
    {
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = new Uri("ws://127.0.0.1:1/ws"),
            Reconnect = new ReconnectPolicy { MinDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50), MaxAttempts = 2 },
        });
        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync().OrTimeout());
        Assert.Equal(ConnectionState.Disconnected, client.State);
        Assert.False(client.LastDisconnect!.WillReconnect);
        Assert.Null(client.LastDisconnect.CloseCode);
        Assert.NotNull(error.Disconnect);
    }

    [Fact]
    public async Task Without_batching_every_message_comes_in_its_own_frame_and_still_arrives()
    {
        await using var client = NewClient(o => o.Batch = false);
        await client.ConnectAsync().OrTimeout();
        var collector = new Collector();
        await using var subscription = await client.SubscribeAsync("nobatch", collector.Handler);
        await Publish.SeqAsync(_server.Broker, "nobatch", 1, 200);
        Assert.Equal(Enumerable.Range(1, 200), Publish.Seqs(await collector.WaitForAsync(200)));
    }

    [Fact]
    public async Task AddSwitchboardClient_registers_one_configured_client_that_the_container_disposes()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSwitchboardClient(o => o.Url = _server.WebSocketUri);
        SwitchboardClient client;
        await using (var provider = services.BuildServiceProvider())
        {
            client = provider.GetRequiredService<SwitchboardClient>();
            Assert.Same(client, provider.GetRequiredService<SwitchboardClient>());
            await client.ConnectAsync().OrTimeout();
        }

        Assert.Equal(ConnectionState.Disconnected, client.State);
        Assert.Equal(new DisconnectInfo(CloseCodes.Normal, "client disconnect", false), client.LastDisconnect);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ConnectAsync());
    }
}
