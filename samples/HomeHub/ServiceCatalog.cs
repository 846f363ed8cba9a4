using System.Text.Json;

namespace HomeHub;

/// <summary>
/// The services HomeHub has: <c>turn_on</c>, <c>turn_off</c> and <c>toggle</c> of <c>light</c> (with
/// <c>brightness</c>), <c>switch</c> and <c>homeassistant</c>. <see cref="EntityStore"/> calls only these, and
/// <c>get_services</c> describes these, so the two cannot disagree.
/// </summary>
public static class ServiceCatalog
{
    private static readonly string[] Domains = ["homeassistant", "light", "switch"];
    private static readonly string[] Services = ["turn_on", "turn_off", "toggle"];

    /// <summary>Whether <paramref name="domain"/>.<paramref name="service"/> exists.</summary>
    public static bool Has(string domain, string service) => Domains.Contains(domain) && Services.Contains(service);

    /// <summary>The <c>get_services</c> result, encoded once.</summary>
    public static JsonElement Descriptions { get; } = JsonSerializer.SerializeToElement(
        Domains.ToDictionary(domain => domain, domain => Services.ToDictionary(service => service, service => Describe(domain, service))),
        HaJsonContext.Default.DictionaryStringDictionaryStringServiceDescription);

    private static ServiceDescription Describe(string domain, string service)
    {
        var what = domain == "homeassistant" ? "any entity that can be turned on and off" : $"one or more {domain}s";
        var (name, description) = service switch
        {
            "turn_on" => ("Turn on", $"Turns on {what}."),
            "turn_off" => ("Turn off", $"Turns off {what}."),
            _ => ("Toggle", $"Toggles {what}."),
        };
        var fields = new Dictionary<string, JsonElement>();
        if (domain == "light" && service == "turn_on")
        {
            fields["brightness"] = Json("""{"name":"Brightness value","description":"Number indicating brightness, where 0 turns the light off, 1 is the minimum brightness, and 255 is the maximum brightness.","selector":{"number":{"min":0,"max":255}}}""");
        }

        var target = domain == "homeassistant" ? Json("""{"entity":[{}]}""") : Json($$"""{"entity":[{"domain":["{{domain}}"]}]}""");
        return new ServiceDescription(name, description, fields, target);
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
