using System.Text.Json;

namespace Switchboard.Protocol;

/// <summary>Pre-encoded property names, so that writing a message never re-encodes them.</summary>
internal static class JsonNames
{
    public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    public static readonly JsonEncodedText Channel = JsonEncodedText.Encode("channel");
    public static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
    public static readonly JsonEncodedText Offset = JsonEncodedText.Encode("offset");
    public static readonly JsonEncodedText Epoch = JsonEncodedText.Encode("epoch");
    public static readonly JsonEncodedText From = JsonEncodedText.Encode("from");
    public static readonly JsonEncodedText Client = JsonEncodedText.Encode("client");
    public static readonly JsonEncodedText User = JsonEncodedText.Encode("user");
    public static readonly JsonEncodedText Info = JsonEncodedText.Encode("info");
    public static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    public static readonly JsonEncodedText Success = JsonEncodedText.Encode("success");
    public static readonly JsonEncodedText Result = JsonEncodedText.Encode("result");
    public static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    public static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
    public static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
    public static readonly JsonEncodedText Ref = JsonEncodedText.Encode("ref");
    public static readonly JsonEncodedText Node = JsonEncodedText.Encode("node");
    public static readonly JsonEncodedText Ping = JsonEncodedText.Encode("ping");
    public static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    public static readonly JsonEncodedText Recovered = JsonEncodedText.Encode("recovered");
    public static readonly JsonEncodedText More = JsonEncodedText.Encode("more");
    public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    public static readonly JsonEncodedText Resubscribe = JsonEncodedText.Encode("resubscribe");
    public static readonly JsonEncodedText Publications = JsonEncodedText.Encode("publications");
    public static readonly JsonEncodedText Clients = JsonEncodedText.Encode("clients");
    public static readonly JsonEncodedText Expires = JsonEncodedText.Encode("expires");
    public static readonly JsonEncodedText Key = JsonEncodedText.Encode("key");
    public static readonly JsonEncodedText Since = JsonEncodedText.Encode("since");
    public static readonly JsonEncodedText Limit = JsonEncodedText.Encode("limit");
    public static readonly JsonEncodedText Presence = JsonEncodedText.Encode("presence");
    public static readonly JsonEncodedText Method = JsonEncodedText.Encode("method");
    public static readonly JsonEncodedText Params = JsonEncodedText.Encode("params");
    public static readonly JsonEncodedText Token = JsonEncodedText.Encode("token");
    public static readonly JsonEncodedText RetryAfterMs = JsonEncodedText.Encode("retry_after_ms");
    public static readonly JsonEncodedText Limits = JsonEncodedText.Encode("limits");
    public static readonly JsonEncodedText CommandsPerSecond = JsonEncodedText.Encode("commands_per_second");
    public static readonly JsonEncodedText CommandBurst = JsonEncodedText.Encode("command_burst");
}
