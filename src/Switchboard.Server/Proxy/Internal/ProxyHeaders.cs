using Microsoft.AspNetCore.Http;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>The upgrade request's headers a proxy call forwards (<see cref="SwitchboardProxyOptions.ForwardedHeaders"/>), copied because the HttpContext is not kept.</summary>
internal static class ProxyHeaders
{
    public static KeyValuePair<string, string>[] From(HttpContext context, SwitchboardProxyOptions options)
    {
        // Copied even when no call of the built-in protocol is configured: a handler may call through IProxyClient.
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in options.ForwardedHeaders)
        {
            if (context.Request.Headers.TryGetValue(name, out var values))
            {
                // Several Cookie headers (HTTP/2 may split them) join as one cookie string; others as a list.
                var value = values.Count == 1 ? values[0]! : string.Join(string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ", values.ToArray());
                headers.Add(new(name, value));
            }
        }

        return [.. headers];
    }
}
