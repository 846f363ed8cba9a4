using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Server.Proxy;
using Switchboard.Server.Tests.Proxy;

namespace Switchboard.Client.Tests;

public sealed record Profile(string Name, string Theme);

public sealed record OrderState(string Status);

[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(OrderState))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class ProxyDataJson : JsonSerializerContext;

/// <summary>
/// The application's backend (a real ASP.NET Core app on loopback) deciding for a real server: the client's
/// <see cref="SwitchboardClientOptions.ConnectData"/> reaches the connect call, its answer's <c>data</c> is
/// <see cref="SwitchboardClient.WelcomeData"/>, and a subscribe's <c>data</c> is <see cref="Subscription.Data"/>.
/// </summary>
public sealed class ProxyDataTests : IAsyncLifetime
{
    private ProxyBackend _backend = null!;
    private ServerHost _server = null!;

    public async Task InitializeAsync()
    {
        _backend = await ProxyBackend.StartAsync();
        _server = await ServerHost.StartAsync(configureServices: s => s.Configure<SwitchboardProxyOptions>(o =>
        {
            o.Connect.Url = _backend.Url("connect");
            o.Subscribe.Url = _backend.Url("subscribe");
            o.Subscribe.Channels.Add("orders.>");
        }));
        _backend.Respond = static (call, context) => ProxyBackend.Json(context, call.Kind == "connect"
            ? new JsonObject { ["result"] = new JsonObject { ["user"] = "ada", ["data"] = new JsonObject { ["name"] = "Ada", ["theme"] = call.Body["data"]?["theme"]?.DeepClone() ?? "light" } } }.ToJsonString()
            : """{"result":{"data":{"status":"paid"}}}""");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Connect_data_goes_to_the_backend_and_its_welcome_data_reads_typed()
    {
        await using var client = new SwitchboardClient(new SwitchboardClientOptions
        {
            Url = _server.WebSocketUri,
            ConnectData = JsonElement.Parse("""{"theme":"dark"}"""),
        });
        await client.ConnectAsync().OrTimeout();

        Assert.Equal("ada", client.User);
        Assert.Equal(new Profile("Ada", "dark"), client.GetWelcomeData(ProxyDataJson.Default.Profile));
        Assert.Equal("dark", client.WelcomeData!.Value.GetProperty("theme").GetString());
        Assert.Equal("dark", _backend.Calls.Single(c => c.Kind == "connect").Body["data"]!["theme"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_subscribes_data_from_the_backend_is_on_the_subscription_and_none_for_channels_it_does_not_cover()
    {
        await using var client = new SwitchboardClient(new SwitchboardClientOptions { Url = _server.WebSocketUri });
        await client.ConnectAsync().OrTimeout();
        Assert.Equal("light", client.GetWelcomeData(ProxyDataJson.Default.Profile)!.Theme);
        Assert.False(_backend.Calls.Single(c => c.Kind == "connect").Body.ContainsKey("data"));

        await using var order = await client.SubscribeAsync("orders.1", static (_, _) => ValueTask.CompletedTask).OrTimeout();
        Assert.Equal(new OrderState("paid"), order.GetData(ProxyDataJson.Default.OrderState));
        await using var chat = await client.SubscribeAsync("chat.general", static (_, _) => ValueTask.CompletedTask).OrTimeout();
        Assert.Null(chat.Data);
        Assert.Null(chat.GetData(ProxyDataJson.Default.OrderState));
    }
}
