using System.Text.Json;

namespace Switchboard.Server.Proxy;

/// <summary>One call an <see cref="IProxyClient"/> makes: where to, and what goes into the body besides <c>client</c> and <c>user</c>.</summary>
/// <param name="Url">The backend endpoint, absolute <c>http</c> or <c>https</c>: trusted, as the configured proxy URLs are
/// (e.g. <see cref="SwitchboardProxyOptions.Rpc"/>'s, or one of the application's own).</param>
public sealed record ProxyCall(string Url)
{
    /// <summary>The body's <c>channel</c> (a room, a topic), or <see langword="null"/> to leave it out.</summary>
    public string? Channel { get; init; }

    /// <summary>The body's <c>method</c> (what the handler asks), or <see langword="null"/> to leave it out.</summary>
    public string? Method { get; init; }

    /// <summary>The body's <c>data</c> (e.g. the client's message), or <see langword="null"/> to leave it out.</summary>
    public JsonElement? Data { get; init; }
}
