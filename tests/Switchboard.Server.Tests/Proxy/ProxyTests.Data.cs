using System.Text.Json.Nodes;

namespace Switchboard.Server.Tests.Proxy;

/// <summary>Data both ways: the client's connect data to the backend, the backend's data in <c>welcome</c> and in the subscribe result.</summary>
public sealed partial class ProxyTests
{
    [Fact]
    public async Task A_subscribe_the_backend_allows_with_data_sends_that_data_in_the_subscribe_result()
    {
        await using var server = await StartServerAsync();
        _backend.Respond = static (call, context) => ProxyBackend.Json(context, new JsonObject
        {
            ["result"] = new JsonObject { ["data"] = new JsonObject { ["status"] = "paid", ["for"] = call.Body["channel"]!.DeepClone() } },
        }.ToJsonString());
        await using var client = await server.ConnectAsync();

        var concrete = await client.OkAsync(Subscribe("orders.1234"));
        Assert.Equal("paid", concrete!["data"]!["status"]!.GetValue<string>());
        Assert.Equal("orders.1234", concrete["data"]!["for"]!.GetValue<string>());
        Assert.Equal(0, concrete["offset"]!.GetValue<long>());

        var pattern = await client.OkAsync(Subscribe("orders.archive.>"));
        Assert.Equal("orders.archive.>", pattern!["data"]!["for"]!.GetValue<string>());

        // Without data in the backend's result, and for a channel the proxy does not cover, the result has none.
        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"result":{}}""");
        Assert.False((await client.OkAsync(Subscribe("orders.9")))!.AsObject().ContainsKey("data"));
        Assert.False((await client.OkAsync(Subscribe("chat.general")))!.AsObject().ContainsKey("data"));
    }

    [Fact]
    public async Task The_clients_connect_data_from_the_upgrade_query_is_the_connect_calls_data()
    {
        await using var server = await StartConnectServerAsync();
        _backend.Respond = static (call, context) => ProxyBackend.Json(context, call.Kind == "connect"
            ? new JsonObject { ["result"] = new JsonObject { ["user"] = "ada", ["data"] = new JsonObject { ["echo"] = call.Body["data"]?.DeepClone() } } }.ToJsonString()
            : """{"result":{}}""");
        var data = Uri.EscapeDataString("""{"device":"phone","v":[1,2]}""");
        await using var client = await TestClient.ConnectAsync(new Uri($"{server.WebSocketUri}?data={data}"));

        var connect = _backend.Calls.Single(c => c.Kind == "connect");
        Assert.Equal("phone", connect.Body["data"]!["device"]!.GetValue<string>());
        Assert.Equal("phone", client.Welcome["data"]!["echo"]!["device"]!.GetValue<string>());

        // Without ?data= the call has no data member.
        await using var plain = await server.ConnectAsync();
        Assert.Equal(1, _backend.Calls.Count(c => c.Kind == "connect" && !c.Body.ContainsKey("data")));
    }

    [Theory]
    [InlineData("?data=%7Bnot%20json")]
    [InlineData("?data=1%202")]
    [InlineData("?data=1&data=2")]
    public async Task Connect_data_that_is_not_one_json_value_closes_with_1008_before_any_call(string query)
    {
        await using var server = await StartConnectServerAsync();
        await using var client = await TestClient.ConnectAsync(new Uri(server.WebSocketUri + query), expectWelcome: false);

        var (status, reason) = await client.WaitForCloseAsync();
        Assert.Equal(1008, (int?)status);
        Assert.StartsWith("data ", reason);
        Assert.DoesNotContain(_backend.Calls, c => c.Kind == "connect");
        await using var other = await server.ConnectAsync(); // The server lives.
    }

    [Fact]
    public async Task The_backends_channels_narrow_subscribes_also_in_open_development_mode()
    {
        // The proxy tests' server has no key and no rules: open development mode, where everything else is allowed.
        await using var server = await StartConnectServerAsync();
        _backend.Respond = static (call, context) => ProxyBackend.Json(context, call.Kind == "connect"
            ? """{"result":{"user":"ada","channels":["orders.1","news.>"]}}"""
            : """{"result":{}}""");
        await using var client = await server.ConnectAsync();

        await client.SubscribeAsync("orders.1");
        await client.SubscribeAsync("news.today");
        Assert.Equal("forbidden", ErrorCode(await client.CommandAsync(Subscribe("orders.2"))));
        Assert.Equal("forbidden", ErrorCode(await client.CommandAsync(Subscribe("orders.>"))));
        await client.PublishAsync("chat.general", "publish is not narrowed");
        Assert.DoesNotContain(_backend.Calls, c => c.Kind == "subscribe" && c.Body["channel"]!.GetValue<string>() == "orders.2");
    }
}
