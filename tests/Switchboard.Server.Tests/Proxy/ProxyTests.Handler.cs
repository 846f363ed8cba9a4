using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Server.Tests.Proxy;

/// <summary>A custom protocol's handler calling the backend through <see cref="Server.Proxy.IProxyClient"/>, with the built-in calls' semantics.</summary>
public sealed partial class ProxyTests
{
    private Task<TestServer> StartHandlerServerAsync() =>
        TestServer.StartAsync(
            configureServices: s => s.Configure<Server.Proxy.SwitchboardProxyOptions>(o => o.Rpc.Url = _backend.Url("rpc")),
            configureApp: app => app.MapSwitchboardHandler<BackendAskingHandler>("/ask"));

    private static Task<TestClient> ConnectHandlerAsync(TestServer server) =>
        TestClient.ConnectAsync(new Uri($"ws://{server.BaseUri.Authority}/ask"), o => o.SetRequestHeader("Cookie", "session=s3cret"), expectWelcome: false);

    [Fact]
    public async Task A_handler_asks_the_backend_through_the_proxy_client_with_the_connections_cookie_and_gets_its_data()
    {
        await using var server = await StartHandlerServerAsync();
        _backend.Respond = static (call, context) => ProxyBackend.Json(context, new JsonObject { ["result"] = new JsonObject { ["data"] = new JsonObject { ["said"] = call.Body["data"]!["question"]!.DeepClone() } } }.ToJsonString());
        await using var client = await ConnectHandlerAsync(server);

        await client.SendAsync(new { type = "ask", question = "why?" });
        var answer = await client.ReceiveTypeAsync("answer");
        Assert.Equal("why?", answer["data"]!["said"]!.GetValue<string>());

        var call = Assert.Single(_backend.Calls);
        Assert.Equal("rpc", call.Kind);
        Assert.Equal("ask", call.Body["method"]!.GetValue<string>());
        Assert.Equal("rooms.lobby", call.Body["channel"]!.GetValue<string>());
        Assert.Equal("websocket", call.Body["transport"]!.GetValue<string>());
        Assert.True(call.Body.ContainsKey("client"));
        Assert.Equal("session=s3cret", call.Headers["Cookie"]);
    }

    [Fact]
    public async Task A_handlers_call_to_a_failing_backend_is_unavailable_and_its_refusal_is_the_backends_error()
    {
        await using var server = await StartHandlerServerAsync();
        _backend.Respond = static (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        };
        await using var client = await ConnectHandlerAsync(server);
        await client.SendAsync(new { type = "ask", question = "1" });
        var failed = await client.ReceiveTypeAsync("refused");
        Assert.Equal(("unavailable", "http_status"), (failed["code"]!.GetValue<string>(), failed["reason"]!.GetValue<string>()));

        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"error":{"code":"forbidden","message":"not you"}}""");
        await client.SendAsync(new { type = "ask", question = "2" });
        var refused = await client.ReceiveTypeAsync("refused");
        Assert.Equal("forbidden", refused["code"]!.GetValue<string>());
        Assert.Null(refused["reason"]);
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task A_disconnect_answer_to_a_handlers_call_closes_the_connection_with_its_code()
    {
        await using var server = await StartHandlerServerAsync();
        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"disconnect":{"code":4321,"reason":"go away"}}""");
        await using var client = await ConnectHandlerAsync(server);
        await client.SendAsync(new { type = "ask", question = "3" });

        var (status, reason) = await client.WaitForCloseAsync();
        Assert.Equal(4321, (int?)status);
        Assert.Equal("go away", reason);
    }
}
