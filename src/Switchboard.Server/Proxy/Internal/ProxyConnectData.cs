using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>
/// The client's connect data: the upgrade request's <c>?data=</c>, one JSON value, which the connect call forwards as
/// its <c>data</c> (docs/proxy.md). A query parameter rather than a first message because in this protocol the server
/// speaks first (<c>welcome</c>): the connect call is made at the upgrade, as a token in <c>?token=</c> is checked there.
/// </summary>
internal static class ProxyConnectData
{
    /// <summary>The query parameter.</summary>
    public const string QueryName = "data";

    /// <summary>The data as UTF-8 JSON (empty when the request has none), or the reason it is refused (close 1008).</summary>
    public static bool TryRead(HttpRequest request, out ReadOnlyMemory<byte> data, out string? error)
    {
        data = default;
        error = null;
        var values = request.Query[QueryName];
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count > 1)
        {
            error = "data given more than once";
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(values[0] ?? string.Empty);
        try
        {
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            reader.Skip();
            if (reader.Read())
            {
                throw new JsonException(); // Something after the value.
            }
        }
        catch (JsonException)
        {
            error = "data is not one JSON value";
            return false;
        }

        data = bytes;
        return true;
    }
}
