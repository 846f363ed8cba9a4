using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>The route values of an upgrade request as strings.</summary>
internal static class HandlerRouteValues
{
    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    public static IReadOnlyDictionary<string, string> From(HttpContext context)
    {
        var values = context.Request.RouteValues;
        if (values.Count == 0)
        {
            return Empty;
        }

        var result = new Dictionary<string, string>(values.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            if (value is not null)
            {
                result[key] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }

        return result;
    }
}
