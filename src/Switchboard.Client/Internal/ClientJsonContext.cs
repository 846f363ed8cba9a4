using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Client.Internal;

/// <summary>Source-generated JSON metadata for the raw-JSON overloads.</summary>
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
