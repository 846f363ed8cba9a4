using System.Net;
using System.Net.WebSockets;

namespace Switchboard.Server.Tests.Proxy;

/// <summary>The cookie the connect call forwards is an ambient credential: another site's page must not connect with it.</summary>
public sealed partial class ProxyTests
{
    /// <summary>The upgrade's HTTP status: 101 when it got in, else what refused it.</summary>
    private static async Task<HttpStatusCode> UpgradeStatusAsync(TestServer server, string origin, bool cookie = true)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        if (cookie)
        {
            socket.Options.SetRequestHeader("Cookie", "session=s3cret");
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(server.WebSocketUri, timeout.Token);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token);
        }
        catch (WebSocketException)
        {
            // Refused: the status says how.
        }

        return socket.HttpStatusCode;
    }

    [Fact]
    public async Task A_cookie_from_another_sites_page_is_refused_before_the_connect_call_and_the_servers_own_origin_gets_in()
    {
        await using var server = await StartConnectServerAsync();
        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"result":{"user":"ada"}}""");

        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(server, "https://evil.example"));
        Assert.DoesNotContain(_backend.Calls, c => c.Kind == "connect");

        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatusAsync(server, server.BaseUri.GetLeftPart(UriPartial.Authority)));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatusAsync(server, "https://evil.example", cookie: false)); // Nothing ambient to abuse.
    }
}
