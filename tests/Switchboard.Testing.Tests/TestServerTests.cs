using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Testing.Tests;

/// <summary><see cref="SwitchboardTestServer"/> and <see cref="SwitchboardTestClient"/> as a user's test suite uses them.</summary>
public sealed class TestServerTests
{
    [Fact]
    public async Task A_subscriber_gets_what_another_client_publishes()
    {
        await using var server = await SwitchboardTestServer.StartAsync();
        await using var subscriber = await server.ConnectAsync();
        await using var publisher = await server.ConnectAsync();

        await subscriber.SubscribeAsync("room.1");
        var published = await publisher.PublishAsync("room.1", new JsonObject { ["text"] = "hi" });

        var message = await subscriber.ExpectMessageAsync("room.1");
        Assert.Equal("hi", message["data"]!["text"]!.GetValue<string>());
        Assert.Equal(published!["offset"]!.GetValue<long>(), message["offset"]!.GetValue<long>());
        Assert.Equal(publisher.Welcome["client"]!.GetValue<string>(), message["from"]!["client"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_users_options_rpc_methods_and_endpoints_are_in_the_server()
    {
        await using var server = await SwitchboardTestServer.StartAsync(
            configure: o => o.AddRpc("double", static (request, _) => ValueTask.FromResult(JsonSerializer.SerializeToElement(request.Params.GetInt32() * 2))),
            configureApp: app => app.MapGet("/hello", () => Results.Text("hello from the app")));
        await using var client = await server.ConnectAsync();

        Assert.Equal(42, (await client.RpcAsync("double", 21))!.GetValue<int>());
        Assert.Equal("echoed", (await client.RpcAsync("echo", "echoed"))!.GetValue<string>());
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        Assert.Equal("hello from the app", await http.GetStringAsync(new Uri("/hello", UriKind.Relative)));
    }

    [Fact]
    public async Task A_failed_command_throws_with_the_error_code_and_the_connection_stays_usable()
    {
        await using var server = await SwitchboardTestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var failed = await Assert.ThrowsAsync<SwitchboardCommandException>(() => client.PublishAsync("room.*", 1));
        Assert.Equal("bad_request", failed.Code);
        Assert.NotNull(await client.SubscribeAsync("room.2"));
    }

    [Fact]
    public async Task A_wait_for_a_message_that_never_comes_times_out_and_keeps_what_did_come()
    {
        await using var server = await SwitchboardTestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.SubscribeAsync("a");
        await client.SubscribeAsync("b");
        await client.PublishAsync("a", 1);

        await Assert.ThrowsAsync<TimeoutException>(() => client.ExpectMessageAsync("b", TimeSpan.FromMilliseconds(300)));
        Assert.Equal(1, (await client.ExpectMessageAsync("a"))["data"]!.GetValue<int>()); // Looking for "b" did not lose it.
    }

    [Fact]
    public async Task A_restarted_server_listens_on_the_same_port_and_clients_of_the_old_one_were_told_1001()
    {
        await using var server = await SwitchboardTestServer.StartAsync(o => o.DrainTimeout = TimeSpan.FromSeconds(2));
        var port = server.Port;
        await using var before = await server.ConnectAsync();

        await server.RestartAsync();

        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, (await before.WaitForCloseAsync()).Status);
        Assert.Equal(port, server.Port);
        await using var after = await server.ConnectAsync();
        Assert.Equal("x", (await after.RpcAsync("echo", "x"))!.GetValue<string>());
    }
}
