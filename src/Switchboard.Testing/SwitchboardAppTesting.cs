using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Net.Http.Headers;

namespace Switchboard.Testing;

/// <summary>
/// Tests of your own app's <c>Program</c> through <see cref="WebApplicationFactory{TEntryPoint}"/>: protocol test
/// clients connected in-process (TestServer's WebSocket client, no port, no network) with the app's own sign-in.
/// </summary>
/// <example>
/// <code>
/// await using var factory = new WebApplicationFactory&lt;Program&gt;();
/// var cookies = await factory.SignInWithCookieAsync("/signin?user=alice");
/// await using var alice = await factory.ConnectSwitchboardAsync("/ws", o => o.WithCookies(cookies));
/// Assert.Equal("alice", alice.Welcome["user"]!.GetValue&lt;string&gt;());
/// </code>
/// </example>
/// <remarks>Thread safety: safe from many threads, as the factory is.</remarks>
public static class SwitchboardAppTesting
{
    /// <summary>
    /// Opens a WebSocket to <paramref name="path"/> of the app under test (in-process) and speaks the protocol on it.
    /// A refused upgrade (401 from <c>RequireAuthorization</c>, 403 from the Origin check) throws
    /// <see cref="InvalidOperationException"/> naming the status.
    /// </summary>
    public static async Task<SwitchboardTestClient> ConnectSwitchboardAsync<TProgram>(this WebApplicationFactory<TProgram> factory, string path = "/ws", Action<SwitchboardConnectOptions>? configure = null)
        where TProgram : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        var options = new SwitchboardConnectOptions();
        configure?.Invoke(options);
        var server = factory.Server;
        var client = server.CreateWebSocketClient();
        client.ConfigureRequest = request =>
        {
            foreach (var (name, value) in options.Headers)
            {
                request.Headers[name] = value;
            }
        };

        var uri = new UriBuilder(new Uri(server.BaseAddress, path)) { Scheme = "ws" }.Uri;
        using var timeout = new CancellationTokenSource(SwitchboardTestClient.DefaultTimeout);
        System.Net.WebSockets.WebSocket socket;
        try
        {
            socket = await client.ConnectAsync(uri, timeout.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            // TestServer says "Incomplete handshake, status code: 401" when the app answers the upgrade with HTTP.
            throw new InvalidOperationException($"the upgrade to {path} was refused: {ex.Message}", ex);
        }

        return await SwitchboardTestClient.AttachAsync(socket, options.ExpectWelcome).ConfigureAwait(false);
    }

    /// <summary>
    /// Signs in through the app's own endpoint (<paramref name="path"/>, e.g. <c>/signin?user=alice</c> or a login form
    /// that takes <paramref name="form"/>) and returns the cookies it set, as a <c>Cookie</c> header value for
    /// <see cref="SwitchboardConnectOptions.WithCookies"/>. Throws when the endpoint failed or set no cookie.
    /// </summary>
    public static async Task<string> SignInWithCookieAsync<TProgram>(this WebApplicationFactory<TProgram> factory, string path, IDictionary<string, string>? form = null)
        where TProgram : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        using var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var response = form is null
            ? await http.GetAsync(new Uri(path, UriKind.Relative)).ConfigureAwait(false)
            : await http.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent(form)).ConfigureAwait(false);
        if ((int)response.StatusCode >= 400)
        {
            throw new InvalidOperationException($"signing in at {path} failed with HTTP {(int)response.StatusCode}");
        }

        var cookies = response.Headers.TryGetValues(HeaderNames.SetCookie, out var values)
            ? SetCookieHeaderValue.ParseList([.. values]).Select(static c => $"{c.Name}={c.Value}").ToList()
            : [];
        return cookies.Count > 0 ? string.Join("; ", cookies) : throw new InvalidOperationException($"signing in at {path} set no cookie");
    }

}
