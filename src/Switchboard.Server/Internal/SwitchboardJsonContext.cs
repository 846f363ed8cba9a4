using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Server.Internal;

/// <summary>Source-generated JSON metadata for the types the server serializes itself.</summary>
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class SwitchboardJsonContext : JsonSerializerContext;
