using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeHub;

/// <summary>
/// One service as <c>get_services</c> describes it (<c>{domain: {service: description}}</c>, as Home Assistant's
/// <c>async_get_all_descriptions</c>): its name, description, fields and the entities it targets.
/// </summary>
public sealed record ServiceDescription(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("fields")] Dictionary<string, JsonElement> Fields,
    [property: JsonPropertyName("target")] JsonElement Target);
