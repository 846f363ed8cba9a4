using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Proxy;

namespace Switchboard.Server.Tests.Proxy;

/// <summary>
/// Subscribe, publish and rpc decided by the application's backend (docs/proxy.md): a real Switchboard and a real
/// backend (<see cref="ProxyBackend"/>), both on Kestrel on 127.0.0.1.
/// </summary>
public sealed partial class ProxyTests : IAsyncLifetime
{
    private ProxyBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await ProxyBackend.StartAsync();

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    /// <summary>A Switchboard whose subscribe and publish proxies cover <c>orders.&gt;</c> and whose rpc proxy answers unknown methods.</summary>
    private Task<TestServer> StartServerAsync(Action<SwitchboardProxyOptions>? configure = null, Action<IServiceCollection>? services = null) =>
        TestServer.StartAsync(
            configureServices: s =>
            {
                s.Configure<SwitchboardProxyOptions>(o =>
                {
                    // Generous: the first call of a test process builds the HTTP client cold, which on a loaded
                    // machine can take longer than the 1 s default. The tests of the timeout set their own.
                    o.Timeout = TimeSpan.FromSeconds(10);
                    o.Subscribe.Url = _backend.Url("subscribe");
                    o.Subscribe.Channels.Add("orders.>");
                    o.Publish.Url = _backend.Url("publish");
                    o.Publish.Channels.Add("orders.>");
                    o.Rpc.Url = _backend.Url("rpc");
                    configure?.Invoke(o);
                });
                services?.Invoke(s);
            },
            configureApp: app => app.MapSwitchboardHealthChecks());

    private static Task<TestClient> ConnectWithCookieAsync(TestServer server) =>
        server.ConnectAsync(options: o => o.SetRequestHeader("Cookie", "session=s3cret"));

    private static JsonObject Subscribe(string channel) => new() { ["type"] = "subscribe", ["channel"] = channel };

    private static JsonObject Publish(string channel, JsonNode? data) => new() { ["type"] = "publish", ["channel"] = channel, ["data"] = data };

    private static string? ErrorCode(JsonObject reply) => reply["success"]?.GetValue<bool>() == false ? reply["error"]?["code"]?.GetValue<string>() : null;

    [Fact]
    public async Task A_subscribe_the_backend_allows_succeeds_and_the_backend_got_the_documented_request_with_the_cookie()
    {
        await using var server = await StartServerAsync();
        await using var client = await ConnectWithCookieAsync(server);
        await client.SubscribeAsync("orders.1234");

        var call = Assert.Single(_backend.Calls);
        Assert.Equal("subscribe", call.Kind);
        Assert.Equal(client.Welcome["client"]!.GetValue<string>(), call.Body["client"]!.GetValue<string>());
        Assert.Null(call.Body["user"]);
        Assert.True(call.Body.ContainsKey("user"));
        Assert.Equal("websocket", call.Body["transport"]!.GetValue<string>());
        Assert.Equal("orders.1234", call.Body["channel"]!.GetValue<string>());
        Assert.Equal("session=s3cret", call.Headers["Cookie"]);
        Assert.Equal("application/json", call.Headers["Content-Type"]);
    }

    [Fact]
    public async Task A_subscribe_with_since_forwards_the_position()
    {
        await using var server = await StartServerAsync();
        await using var client = await server.ConnectAsync();
        await client.OkAsync(new JsonObject { ["type"] = "subscribe", ["channel"] = "orders.7", ["since"] = new JsonObject { ["offset"] = 0, ["epoch"] = "e1" } });

        var since = Assert.Single(_backend.Calls).Body["since"]!;
        Assert.Equal(0, since["offset"]!.GetValue<long>());
        Assert.Equal("e1", since["epoch"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_subscribe_the_backend_refuses_gets_its_error_and_the_connection_stays_open()
    {
        await using var server = await StartServerAsync();
        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"error":{"code":"forbidden","message":"not your order"}}""");
        await using var client = await server.ConnectAsync();

        var reply = await client.CommandAsync(Subscribe("orders.1"));
        Assert.Equal("forbidden", ErrorCode(reply));
        Assert.Equal("not your order", reply["error"]!["message"]!.GetValue<string>());
        Assert.Equal(1, (await client.RpcAsync("echo", 1))!.GetValue<int>());
    }

    [Fact]
    public async Task A_backend_error_code_the_protocol_does_not_know_still_refuses_as_forbidden()
    {
        await using var server = await StartServerAsync();
        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"error":{"code":"nope","message":"no"}}""");
        await using var client = await server.ConnectAsync();
        Assert.Equal("forbidden", ErrorCode(await client.CommandAsync(Subscribe("orders.1"))));
    }

    [Fact]
    public async Task A_disconnect_from_the_backend_closes_the_connection_with_its_code_and_reason()
    {
        await using var server = await StartServerAsync();
        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"disconnect":{"code":4500,"reason":"banned"}}""");
        await using var client = await server.ConnectAsync();
        await client.SendRawAsync("""{"type":"subscribe","channel":"orders.1","id":1}""");

        var (status, reason) = await client.WaitForCloseAsync();
        Assert.Equal(4500, (int?)status);
        Assert.Equal("banned", reason);
    }

    [Fact]
    public async Task Channels_outside_the_proxy_patterns_never_reach_the_backend()
    {
        await using var server = await StartServerAsync();
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("chat.general");
        await client.PublishAsync("chat.general", "hi");
        await client.ExpectMessageAsync("chat.general");
        Assert.Empty(_backend.Calls);
    }

    [Fact]
    public async Task A_publish_the_backend_rewrites_reaches_subscribers_with_the_backends_data()
    {
        await using var server = await StartServerAsync();
        _backend.Respond = static (call, context) => call.Kind == "publish"
            ? ProxyBackend.Json(context, new JsonObject { ["result"] = new JsonObject { ["data"] = new JsonObject { ["text"] = "moderated", ["was"] = call.Body["data"]!.DeepClone() } } }.ToJsonString())
            : ProxyBackend.Json(context, """{"result":{}}""");
        await using var subscriber = await server.ConnectAsync();
        await subscriber.SubscribeAsync("orders.9");
        await using var publisher = await server.ConnectAsync();
        await publisher.PublishAsync("orders.9", new JsonObject { ["text"] = "darn" });

        var message = await subscriber.ExpectMessageAsync("orders.9");
        Assert.Equal("moderated", message["data"]!["text"]!.GetValue<string>());
        Assert.Equal("darn", message["data"]!["was"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_publish_the_backend_allows_without_data_publishes_the_clients_data()
    {
        await using var server = await StartServerAsync();
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("orders.2");
        await client.PublishAsync("orders.2", new JsonObject { ["n"] = 5 });
        Assert.Equal(5, (await client.ExpectMessageAsync("orders.2"))["data"]!["n"]!.GetValue<int>());
        Assert.Equal(5, _backend.Calls.Single(c => c.Kind == "publish").Body["data"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_publish_the_backend_refuses_is_not_delivered_and_pipelined_publishes_keep_their_order()
    {
        await using var server = await StartServerAsync();
        _backend.Respond = static (call, context) => call.Kind == "publish" && call.Body["data"]!.GetValue<int>() % 3 == 0
            ? ProxyBackend.Json(context, """{"error":{"code":"forbidden","message":"multiple of three"}}""")
            : ProxyBackend.Json(context, """{"result":{}}""");
        await using var subscriber = await server.ConnectAsync();
        await subscriber.SubscribeAsync("orders.seq");
        await using var publisher = await server.ConnectAsync();
        for (var i = 1; i <= 10; i++)
        {
            await publisher.SendRawAsync($$"""{"type":"publish","channel":"orders.seq","data":{{i}},"id":{{i}}}""");
        }

        var replies = new List<JsonObject>();
        for (var i = 0; i < 10; i++)
        {
            replies.Add(await publisher.ReceiveTypeAsync("result"));
        }

        Assert.Equal(Enumerable.Range(1, 10), replies.Select(r => r["id"]!.GetValue<int>()));
        Assert.Equal([3, 6, 9], replies.Where(r => ErrorCode(r) == "forbidden").Select(r => r["id"]!.GetValue<int>()));
        var delivered = await subscriber.ReceiveMessagesAsync(7);
        Assert.Equal([1, 2, 4, 5, 7, 8, 10], delivered.Select(m => m["data"]!.GetValue<int>()));
    }

    [Fact]
    public async Task An_rpc_no_handler_answers_gets_the_backends_data_as_its_result()
    {
        await using var server = await StartServerAsync();
        _backend.Respond = static (call, context) => ProxyBackend.Json(context, new JsonObject { ["result"] = new JsonObject { ["data"] = new JsonObject { ["method"] = call.Body["method"]!.DeepClone(), ["got"] = call.Body["data"]!.DeepClone() } } }.ToJsonString());
        await using var client = await server.ConnectAsync();

        var result = await client.RpcAsync("orders.total", new JsonObject { ["order"] = 12 });
        Assert.Equal("orders.total", result!["method"]!.GetValue<string>());
        Assert.Equal(12, result["got"]!["order"]!.GetValue<int>());
        Assert.Equal(3, (await client.RpcAsync("echo", 3))!.GetValue<int>()); // A registered method stays local.
        Assert.Single(_backend.Calls);
    }

    [Fact]
    public async Task A_start_with_a_proxy_url_that_is_not_absolute_http_fails_with_the_setting_named()
    {
        var error = await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => StartServerAsync(o => o.Publish.Url = "ftp://backend/publish"));
        Assert.Contains("Switchboard:Proxy:Publish:Url must be an absolute http or https URL", error.Message);
    }
}
