namespace Switchboard.Testing;

/// <summary>
/// How <see cref="SwitchboardAppTesting.ConnectSwitchboardAsync{TProgram}"/> opens a connection to the app under test:
/// the request headers of the upgrade (a bearer token, the cookies of a sign-in, an <c>Origin</c>) and whether to wait
/// for <c>welcome</c>.
/// </summary>
public sealed class SwitchboardConnectOptions
{
    /// <summary>Headers of the upgrade request.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether to wait for the built-in protocol's <c>welcome</c> (set <see langword="false"/> for a handler endpoint with its own first message). Default <see langword="true"/>.</summary>
    public bool ExpectWelcome { get; set; } = true;

    /// <summary>Sends <c>Authorization: Bearer <paramref name="token"/></c> (a token your app's JwtBearer, or Switchboard's own keys, accept).</summary>
    /// <returns>These options, for chaining.</returns>
    public SwitchboardConnectOptions WithBearer(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        Headers["Authorization"] = "Bearer " + token;
        return this;
    }

    /// <summary>Sends <paramref name="cookies"/> as the <c>Cookie</c> header, e.g. what <see cref="SwitchboardAppTesting.SignInWithCookieAsync{TProgram}"/> returned.</summary>
    /// <returns>These options, for chaining.</returns>
    public SwitchboardConnectOptions WithCookies(string cookies)
    {
        ArgumentException.ThrowIfNullOrEmpty(cookies);
        Headers["Cookie"] = cookies;
        return this;
    }

    /// <summary>Sends an <c>Origin</c>, as a browser page would (the app's own one is <c>http://localhost</c> under TestServer).</summary>
    /// <returns>These options, for chaining.</returns>
    public SwitchboardConnectOptions WithOrigin(string origin)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        Headers["Origin"] = origin;
        return this;
    }
}
