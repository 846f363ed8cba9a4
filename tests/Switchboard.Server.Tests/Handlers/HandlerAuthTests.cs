using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Handlers;

namespace Switchboard.Server.Tests.Handlers;

/// <summary>A handler's authentication over real sockets: token in the query or header, a required token, a first message.</summary>
public sealed class HandlerAuthTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await HandlerServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_token_in_the_query_or_the_header_names_the_user_and_brings_its_claims()
    {
        await using var byQuery = await _server.ConnectChatAsync("/chat/r?token=" + HandlerServer.Token("dana", "editor"));
        await using var byHeader = await _server.ConnectChatAsync("/chat/r", o => o.SetRequestHeader("Authorization", "Bearer " + HandlerServer.Token("eve")));
        await using var anonymous = await _server.ConnectChatAsync("/chat/r");

        await byQuery.SendAsync(new { type = "whoami" });
        var you = await byQuery.ReceiveTypeAsync("you");
        Assert.Equal("dana", you["user_id"]!.GetValue<string>());
        Assert.Equal("dana-name", you["username"]!.GetValue<string>());
        Assert.Equal(["editor"], you["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("eve", byHeader.Welcome["user_id"]!.GetValue<string>());
        Assert.Null(anonymous.Welcome["user_id"]);
    }

    [Fact]
    public async Task An_invalid_token_is_closed_with_1008_even_where_tokens_are_optional()
    {
        await using var client = await TestClient.ConnectAsync(_server.Endpoint("/chat/r?token=not.a.token"), expectWelcome: false);
        var (status, _) = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?token=garbage")]
    public async Task Where_a_token_is_required_a_missing_or_invalid_one_closes_with_the_handlers_reason(string query)
    {
        await using var client = await TestClient.ConnectAsync(_server.Endpoint("/secure" + query), expectWelcome: false);
        var (status, reason) = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("Invalid token", reason);
        Assert.False(client.TryReceive(out _));
    }

    [Fact]
    public async Task Where_a_token_is_required_a_valid_one_gets_in()
    {
        await using var client = await _server.ConnectChatAsync("/secure?token=" + HandlerServer.Token("fay"));
        Assert.Equal("fay", client.Welcome["user_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(FirstMessageAuthHandler.AccessToken, "static-user")]
    [InlineData("jwt", "gus")]
    public async Task A_first_message_authenticates_with_the_applications_token_or_a_jwt(string accessToken, string user)
    {
        var token = accessToken == "jwt" ? HandlerServer.Token("gus") : accessToken;
        await using var client = await TestClient.ConnectAsync(_server.Endpoint("/first"), expectWelcome: false);
        await client.ReceiveTypeAsync("auth_required");
        await client.SendAsync(new { type = "auth", access_token = token });
        await client.ReceiveTypeAsync("auth_ok");
        await client.SendAsync(new { type = "whoami" });
        Assert.Equal(user, (await client.ReceiveTypeAsync("you"))["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"type\":\"auth\",\"access_token\":\"wrong\"}", "Invalid access token")]
    [InlineData("{\"type\":\"whoami\"}", "Expected an auth message")]
    [InlineData("not json", "Expected an auth message")]
    public async Task A_bad_first_message_gets_the_handlers_refusal_and_1008(string first, string message)
    {
        await using var client = await TestClient.ConnectAsync(_server.Endpoint("/first"), expectWelcome: false);
        await client.ReceiveTypeAsync("auth_required");
        await client.SendRawAsync(first);
        Assert.Equal(message, (await client.ReceiveTypeAsync("auth_invalid"))["message"]!.GetValue<string>());
        var (status, _) = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
    }

    [Fact]
    public async Task A_broadcast_to_everyone_sent_once_the_socket_is_open_is_not_missed()
    {
        // The client is connected (101 received) but not yet in: it has not authenticated. What everyone gets
        // meanwhile is held, and delivered once it is in, after the handshake's reply.
        await using var client = await TestClient.ConnectAsync(_server.Endpoint("/first"), expectWelcome: false);
        await client.ReceiveTypeAsync("auth_required");
        await _server.Services.GetRequiredService<HandlerClients<FirstMessageAuthHandler>>().All.SendAsync("{\"type\":\"early\"}"u8.ToArray());
        await client.SendAsync(new { type = "auth", access_token = FirstMessageAuthHandler.AccessToken });
        Assert.Equal("auth_ok", (await client.ReceiveAnyAsync())["type"]!.GetValue<string>());
        Assert.Equal("early", (await client.ReceiveAnyAsync())["type"]!.GetValue<string>());
    }
}
