using System.Text.Json.Serialization;

namespace HomeHub;

/// <summary>
/// The answer of <c>get_config</c>: Home Assistant 2024.1's <c>hass.config.as_dict()</c>, field for field, for the
/// sample home (metric units, UTC, the integrations whose entities it has).
/// </summary>
public sealed record HaConfig(
    [property: JsonPropertyName("latitude")] double Latitude,
    [property: JsonPropertyName("longitude")] double Longitude,
    [property: JsonPropertyName("elevation")] int Elevation,
    [property: JsonPropertyName("unit_system")] Dictionary<string, string> UnitSystem,
    [property: JsonPropertyName("location_name")] string LocationName,
    [property: JsonPropertyName("time_zone")] string TimeZone,
    [property: JsonPropertyName("components")] List<string> Components,
    [property: JsonPropertyName("config_dir")] string ConfigDir,
    [property: JsonPropertyName("whitelist_external_dirs")] List<string> WhitelistExternalDirs,
    [property: JsonPropertyName("allowlist_external_dirs")] List<string> AllowlistExternalDirs,
    [property: JsonPropertyName("allowlist_external_urls")] List<string> AllowlistExternalUrls,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("config_source")] string ConfigSource,
    [property: JsonPropertyName("recovery_mode")] bool RecoveryMode,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("external_url")] string? ExternalUrl,
    [property: JsonPropertyName("internal_url")] string? InternalUrl,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("country")] string? Country,
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("safe_mode")] bool SafeMode)
{
    /// <summary>The sample home's configuration, announcing <paramref name="version"/>.</summary>
    public static HaConfig ForSampleHome(string version) => new(
        Latitude: 52.3731,
        Longitude: 4.8922,
        Elevation: 0,
        UnitSystem: new()
        {
            ["length"] = "km",
            ["accumulated_precipitation"] = "mm",
            ["mass"] = "g",
            ["pressure"] = "Pa",
            ["temperature"] = "°C",
            ["volume"] = "L",
            ["wind_speed"] = "m/s",
        },
        LocationName: "Home",
        TimeZone: "UTC",
        Components: ["api", "binary_sensor", "homeassistant", "light", "sensor", "switch", "websocket_api"],
        ConfigDir: "/config",
        WhitelistExternalDirs: ["/config/www"],
        AllowlistExternalDirs: ["/config/www"],
        AllowlistExternalUrls: [],
        Version: version,
        ConfigSource: "storage",
        RecoveryMode: false,
        State: "RUNNING",
        ExternalUrl: null,
        InternalUrl: null,
        Currency: "EUR",
        Country: null,
        Language: "en",
        SafeMode: false);
}
