using System.Collections;
using System.Reflection;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Server;
using Switchboard.Server.Security;

namespace Switchboard.Cli.Tests;

/// <summary>
/// docs/configuration.md lists every setting of every options class the server binds, each with its configuration
/// key, environment variable and flag: a setting added to an options class without a row there fails this test.
/// </summary>
public sealed class ConfigurationDocTests
{
    private static readonly string Doc = File.ReadAllText(RepositoryRoot.File("docs/configuration.md"));

    public static TheoryData<string> Settings()
    {
        var data = new TheoryData<string>();
        foreach (var key in SettingKeys().Order(StringComparer.Ordinal))
        {
            data.Add(key);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_setting_has_its_key_environment_variable_and_flag_in_the_doc(string key)
    {
        Assert.True(Doc.Contains($"`{key}`", StringComparison.Ordinal), $"docs/configuration.md has no row for `{key}`");
        var environment = key.Replace(":", "__", StringComparison.Ordinal);
        Assert.True(Doc.Contains($"`{environment}`", StringComparison.Ordinal), $"docs/configuration.md does not name the environment variable `{environment}`");
        Assert.True(Doc.Contains($"`--{key}=", StringComparison.Ordinal), $"docs/configuration.md does not name the flag `--{key}=...`");
    }

    [Fact]
    public void The_options_classes_are_found()
    {
        var keys = SettingKeys();
        Assert.Contains("Switchboard:HistorySize", keys);
        Assert.Contains("Switchboard:Auth:Secret", keys);
        Assert.Contains("Switchboard:Limits:MaxConnectionsPerIp", keys);
        Assert.Contains("Switchboard:HttpApi:Key", keys);
        Assert.Contains("Switchboard:Redis:Configuration", keys);
    }

    [Theory]
    [InlineData("--urls")]
    [InlineData("--config")]
    [InlineData("--cert")]
    [InlineData("--key")]
    [InlineData("--log-format")]
    [InlineData("Switchboard:InlineScheduling")]
    [InlineData("Switchboard:Otlp:Endpoint")]
    public void The_serve_flags_and_host_settings_are_in_the_doc(string name) =>
        Assert.True(Doc.Contains($"`{name}", StringComparison.Ordinal), $"docs/configuration.md does not describe {name}");

    /// <summary>
    /// Every leaf setting (a scalar, TimeSpan, enum or list) of each options class with a <c>SectionName</c> in the
    /// Switchboard assemblies next to the tests (the host's references: Server, Redis, and any added later), plus the
    /// security options, which bind the <c>Switchboard</c> section itself.
    /// </summary>
    private static HashSet<string> SettingKeys()
    {
        var roots = new List<(Type Type, string Section)> { (typeof(SwitchboardSecurityOptions), SwitchboardOptions.SectionName) };
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "Switchboard*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.EndsWith(".Tests", StringComparison.Ordinal) || name == "Switchboard.Client" || name == "Switchboard.Testing")
            {
                continue; // Client options are set in code, not bound from a server's configuration.
            }

            foreach (var type in Assembly.LoadFrom(file).GetExportedTypes())
            {
                if (type.Name.EndsWith("Options", StringComparison.Ordinal)
                    && type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field)
                {
                    roots.Add((type, (string)field.GetRawConstantValue()!));
                }
            }
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (type, section) in roots)
        {
            AddLeaves(type, section, keys);
        }

        return keys;
    }

    private static void AddLeaves(Type type, string prefix, HashSet<string> keys)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetSetMethod() is null || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var isGroup = propertyType.IsClass && propertyType != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(propertyType)
                && propertyType.Namespace?.StartsWith("Switchboard", StringComparison.Ordinal) == true;
            if (isGroup)
            {
                AddLeaves(propertyType, key, keys);
            }
            else if (IsBindable(propertyType))
            {
                keys.Add(key);
            }

            // Anything else (e.g. Redis's ConfigurationOptions object) is set in code, not from configuration.
        }
    }

    private static bool IsBindable(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal) || type == typeof(Uri)
        || (typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType);
}
