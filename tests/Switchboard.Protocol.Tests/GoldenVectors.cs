using System.Text.Json.Nodes;

namespace Switchboard.Protocol.Tests;

/// <summary>Reads the language-neutral golden vectors in <c>tests/vectors</c> (copied next to the test assembly).</summary>
internal static class GoldenVectors
{
    public static JsonObject Load(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", file)))!.AsObject();

    /// <summary>One test case per element of <paramref name="section"/>, named by its <c>name</c> or <c>json</c>.</summary>
    public static TheoryData<string> Cases(string file, string section)
    {
        var data = new TheoryData<string>();
        foreach (var vector in Load(file)[section]!.AsArray())
        {
            data.Add((string)vector!["name"]! ?? (string)vector["json"]!);
        }

        return data;
    }

    public static JsonObject Find(string file, string section, string name) =>
        Load(file)[section]!.AsArray().Single(v => ((string?)v!["name"] ?? (string)v["json"]!) == name)!.AsObject();
}
