using System.Text.Json.Serialization;

namespace Switchboard.Host;

/// <summary>Source-generated JSON metadata for the host's own rpc results and client output.</summary>
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(SensorReading))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class HostJsonContext : JsonSerializerContext;
