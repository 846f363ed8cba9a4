using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace Switchboard.Server.Tests.Security;

/// <summary>Connecting to a server that requires tokens, and asserting how a refused connection ends.</summary>
public static class SecureClients
{
    /// <summary>Connects with a token in the Authorization header and waits for welcome.</summary>
    public static Task<TestClient> ConnectWithTokenAsync(this TestServer server, string token) =>
        TestClient.ConnectAsync(server.WebSocketUri, o => o.SetRequestHeader("Authorization", "Bearer " + token));

    /// <summary>Connects without waiting for welcome.</summary>
    public static Task<TestClient> ConnectRawAsync(this TestServer server, string query = "", Action<ClientWebSocketOptions>? options = null) =>
        TestClient.ConnectAsync(new Uri(server.WebSocketUri + query), options, expectWelcome: false);

    /// <summary>Asserts that the server closes with <paramref name="code"/> without ever sending welcome; returns the reason.</summary>
    public static async Task<string?> AssertClosedWithoutWelcomeAsync(this TestClient client, int code, TimeSpan? timeout = null)
    {
        var (status, reason) = await client.WaitForCloseAsync(timeout);
        Assert.Equal(code, (int?)status);
        while (client.TryReceive(out var message))
        {
            Assert.NotEqual("welcome", message!["type"]?.GetValue<string>());
        }

        return reason;
    }

    /// <summary>Sends a command and asserts it failed with <paramref name="code"/>.</summary>
    public static async Task AssertFailsAsync(this TestClient client, JsonObject command, string code)
    {
        var reply = await client.CommandAsync(command);
        Assert.False(reply["success"]!.GetValue<bool>(), $"expected {code}: {reply.ToJsonString()}");
        Assert.Equal(code, reply["error"]!["code"]!.GetValue<string>());
    }
}
