using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>A backend's answer: exactly one of <c>result</c>, <c>error</c>, <c>disconnect</c> (docs/proxy.md).</summary>
internal sealed record ProxyResponse(
    [property: JsonPropertyName("result")] JsonElement? Result,
    [property: JsonPropertyName("error")] ProxyErrorBody? Error,
    [property: JsonPropertyName("disconnect")] ProxyDisconnectBody? Disconnect);

/// <summary>The backend's <c>error</c>: the command's error code and message.</summary>
internal sealed record ProxyErrorBody([property: JsonPropertyName("code")] string? Code, [property: JsonPropertyName("message")] string? Message);

/// <summary>The backend's <c>disconnect</c>: the close code and reason.</summary>
internal sealed record ProxyDisconnectBody([property: JsonPropertyName("code")] int? Code, [property: JsonPropertyName("reason")] string? Reason);

/// <summary>Source-generated JSON for the proxy's answers.</summary>
[JsonSerializable(typeof(ProxyResponse))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext;
