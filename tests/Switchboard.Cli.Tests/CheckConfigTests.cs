using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard check-config</c> as a process: serve's own validation, without listening; exit 0 or 2 with every reason.</summary>
public sealed class CheckConfigTests
{
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(60);

    private const string Secret = "check-config-secret-of-32-bytes-or-more";

    [Fact]
    public async Task A_valid_configuration_file_passes_with_exit_code_0_and_a_summary()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.File("prod.json"), $$"""
            {
              "Switchboard": {
                "Auth": { "Secret": "{{Secret}}", "Issuer": "https://login.example.com" },
                "Channels": [ { "Pattern": "orders.>", "Subscribe": "authenticated", "Publish": "role:backend" } ],
                "Limits": { "MaxConnectionsPerIp": 50 },
                "HttpApi": { "Key": "an-api-key", "AllowedOrigins": [ "https://admin.example.com" ] }
              }
            }
            """);
        using var process = ChildProcess.Switchboard(["check-config", "--config", "prod.json", "--environment", "Production"], workingDirectory: directory.Path);
        Assert.True(await process.WaitForExitAsync(Exit) == 0, process.Output);
        Assert.Contains("the configuration is valid: Production environment, tokens required, 1 channel rule,", process.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("HTTP API at /api (CORS for https://admin.example.com)", process.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(process.StandardError);
        Assert.DoesNotContain(Secret, process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_key_fails_with_exit_code_2_and_names_the_nearest_setting()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.File("typo.json"), $$"""{ "Switchboard": { "Auth": { "Secert": "{{Secret}}" }, "Limits": { "MaxConectionsPerIp": 5 } } }""");
        using var process = ChildProcess.Switchboard(["check-config", "--config", "typo.json"], workingDirectory: directory.Path);
        Assert.Equal(2, await process.WaitForExitAsync(Exit));
        Assert.Contains("unknown setting Switchboard:Auth:Secert (did you mean Secret?)", process.StandardError, StringComparison.Ordinal);
        Assert.Contains("unknown setting Switchboard:Limits:MaxConectionsPerIp (did you mean MaxConnectionsPerIp?)", process.StandardError, StringComparison.Ordinal);
        Assert.Empty(process.StandardOutput);
    }

    [Fact]
    public async Task Invalid_values_in_several_sections_are_all_reported_at_once()
    {
        using var process = ChildProcess.Switchboard(["check-config", "--Switchboard:HistorySize=-1", "--Switchboard:Auth:Secret=too-short", "--Switchboard:HttpApi:AllowedOrigins:0=https://admin.example.com/page"]);
        Assert.Equal(2, await process.WaitForExitAsync(Exit));
        var error = process.StandardError;
        Assert.StartsWith("switchboard: invalid configuration:", error, StringComparison.Ordinal);
        Assert.Contains("Switchboard:HistorySize must not be negative.", error, StringComparison.Ordinal);
        Assert.Contains("Switchboard:Auth:Secret must be at least 32 bytes long for HS256.", error, StringComparison.Ordinal);
        Assert.Contains("Switchboard:HttpApi:AllowedOrigins: 'https://admin.example.com/page' is not an origin", error, StringComparison.Ordinal);
        Assert.DoesNotContain("too-short", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Switchboard:HistorySize=many", "Failed to convert configuration value 'many' at 'Switchboard:HistorySize' to type 'System.Int32'")]
    [InlineData("--Switchboard:Auth:ClockSkew=soon", "at 'Switchboard:Auth:ClockSkew' to type 'System.TimeSpan'")]
    public async Task A_value_of_the_wrong_type_fails_with_exit_code_2_and_no_stack_trace(string flag, string expected)
    {
        foreach (var command in new[] { "check-config", "serve" })
        {
            using var process = ChildProcess.Switchboard([command, "--urls", "http://127.0.0.1:0", flag]);
            Assert.True(await process.WaitForExitAsync(Exit) == 2, $"{command}: {process.Output}");
            Assert.Contains(expected, process.StandardError, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", process.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_configuration_file_that_is_not_json_fails_with_exit_code_2_naming_the_file()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.File("broken.json"), """{ "Switchboard": { "HistorySize": 10, """);
        using var process = ChildProcess.Switchboard(["check-config", "--config", "broken.json"], workingDirectory: directory.Path);
        Assert.Equal(2, await process.WaitForExitAsync(Exit));
        Assert.Contains("broken.json", process.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_without_authentication_is_reported_as_the_refusal_serve_would_make()
    {
        using var process = ChildProcess.Switchboard(["check-config", "--urls", "http://0.0.0.0:8000"]);
        Assert.Equal(2, await process.WaitForExitAsync(Exit));
        Assert.Contains("serve would refuse to start", process.StandardError, StringComparison.Ordinal);
        Assert.Contains("refusing to start in the Production environment without authentication", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_config_does_not_listen_on_the_address_it_checks()
    {
        // A port serve could not bind (held here): check-config validates, it never opens a socket.
        using var held = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        held.Start();
        var port = ((System.Net.IPEndPoint)held.LocalEndpoint).Port;
        using var process = ChildProcess.Switchboard(["check-config", "--urls", $"http://127.0.0.1:{port}"]);
        Assert.True(await process.WaitForExitAsync(Exit) == 0, process.Output);
        Assert.DoesNotContain("listening", process.Output, StringComparison.Ordinal);
    }
}
