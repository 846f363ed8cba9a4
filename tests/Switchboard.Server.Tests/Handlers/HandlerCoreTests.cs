using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Handlers;

/// <summary>What a handler endpoint gets from the connection core it shares with the built-in protocol: origin checks, drain, the reserved namespace.</summary>
public sealed class HandlerCoreTests
{
    [Fact]
    public async Task The_origin_check_guards_handler_endpoints()
    {
        await using var server = await HandlerServer.StartAsync(configureServices: s => s.Configure<SwitchboardSecurityOptions>(o => o.AllowedOrigins.Add("https://app.example.com")));
        await Assert.ThrowsAsync<WebSocketException>(() => server.ConnectChatAsync(options: o => o.SetRequestHeader("Origin", "https://evil.example.com")));
        await using var allowed = await server.ConnectChatAsync(options: o => o.SetRequestHeader("Origin", "https://app.example.com"));
        Assert.True(allowed.Client.IsOpen);
    }

    [Fact]
    public async Task Shutdown_closes_handler_connections_with_1001_and_runs_their_disconnect()
    {
        var server = await HandlerServer.StartAsync();
        try
        {
            await using var client = await server.ConnectChatAsync();
            var chat = server.Chat();
            await server.StopAsync();
            var (status, _) = await client.Client.WaitForCloseAsync();
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
            Assert.Equal(client.Id, await chat.Disconnected.Reader.ReadAsync().AsTask().WaitAsync(TestClient.DefaultTimeout));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_server_api_refuses_the_handlers_reserved_channels()
    {
        await using var server = await HandlerServer.StartAsync();
        var api = server.Services.GetRequiredService<ISwitchboard>();
        await Assert.ThrowsAsync<ArgumentException>(async () => await api.PublishAsync("sb:handler.ChatTestHandler.all", "{}"u8.ToArray()));
    }

    [Fact]
    public async Task An_overridden_error_format_can_echo_the_requests_id()
    {
        await using var server = await HandlerServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.Endpoint("/results"), expectWelcome: false);
        await client.SendRawAsync("{\"id\":5,\"type\":\"nope\"}");
        var result = await client.ReceiveTypeAsync("result");
        Assert.Equal(5, result["id"]!.GetValue<int>());
        Assert.False(result["success"]!.GetValue<bool>());
        Assert.Equal("Unknown message type", result["error"]!.GetValue<string>());

        await client.SendRawAsync("{\"id\":6");
        var invalid = await client.ReceiveTypeAsync("result");
        Assert.Null(invalid["id"]);
        Assert.Equal("InvalidJson", invalid["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Aborted_first_read_after_the_connection_closed_is_cancelled()
    {
        // Nothing reads the token before the disconnect, so the connection was cancelled before its source existed.
        await using var server = await HandlerServer.StartAsync();
        var chat = server.Chat();
        await using var client = await server.ConnectChatAsync();
        await client.Client.CloseAsync();

        var (id, cancelled) = await chat.AbortedAtDisconnect.Reader.ReadAsync().AsTask().WaitAsync(TestClient.DefaultTimeout);
        Assert.Equal(client.Id, id);
        Assert.True(cancelled, "Aborted, first read in OnDisconnectedAsync, was not cancelled");
    }

    [Fact]
    public async Task Aborted_read_while_open_is_cancelled_when_the_connection_closes()
    {
        await using var server = await HandlerServer.StartAsync();
        var chat = server.Chat();
        await using var client = await server.ConnectChatAsync();
        await client.SendAsync(new { type = "watch_aborted" });
        Assert.Equal("open", (await client.ReceiveTypeAsync("notice"))["message"]!.GetValue<string>());

        await client.SendAsync(new { type = "close", code = 4400, reason = "bye" });
        Assert.Equal(client.Id, await chat.AbortedFired.Reader.ReadAsync().AsTask().WaitAsync(TestClient.DefaultTimeout));
    }
}
