using Microsoft.Extensions.Hosting;
using Switchboard.Host;
using Switchboard.Server.Security;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Tests.Security;

/// <summary>The command-line host: refusing to start unauthenticated outside Development, and <c>switchboard token</c>.</summary>
public sealed class HostSecurityTests
{
    private const string Secret = "host-test-secret-at-least-32-bytes-long!";

    /// <summary>Runs the command line in this process, as a user would type it; also used by other tests of serve's start.</summary>
    internal static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await SwitchboardCli.Create().Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Serve_in_production_without_keys_refuses_to_start_with_one_clear_line()
    {
        var (exit, _, error) = await RunAsync("serve", "--urls", "http://127.0.0.1:0", "--environment", "Production");
        Assert.NotEqual(0, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("switchboard: refusing to start in the Production environment without authentication", line);
        Assert.Contains("Switchboard:Auth:Secret", line);
        Assert.Contains("Switchboard:Auth:AllowAnonymous=true", line);
    }

    [Fact]
    public async Task Serve_with_an_invalid_security_setting_names_it_and_exits()
    {
        var (exit, _, error) = await RunAsync("serve", "--urls", "http://127.0.0.1:0", "--Switchboard:Auth:Secret=too-short");
        Assert.Equal(2, exit);
        Assert.Contains("Switchboard:Auth:Secret must be at least 32 bytes", error);
    }

    [Theory]
    [InlineData(false, false, "Production", "refusing")]
    [InlineData(true, false, "Production", null)]
    [InlineData(false, true, "Production", null)]
    [InlineData(false, false, "Staging", "refusing")]
    [InlineData(false, false, "Development", null)]
    public void Production_safety(bool key, bool allowAnonymous, string environment, string? refusal)
    {
        var options = new SwitchboardSecurityOptions();
        options.Auth.Secret = key ? Secret : null;
        options.Auth.AllowAnonymous = allowAnonymous ? true : null;
        var result = ProductionSafety.Check(new NamedEnvironment(environment), options);
        if (refusal is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.Contains(refusal, result);
        }
    }

    [Theory]
    [InlineData("http://localhost:8000", "Development")]
    [InlineData("http://127.0.0.1:8000;http://[::1]:8000", "Development")]
    [InlineData("http://0.0.0.0:8000", "Production")]
    [InlineData("http://*:8000", "Production")]
    [InlineData("http://+:8000", "Production")]
    [InlineData("http://example.com:8000", "Production")]
    public void Serve_defaults_to_development_only_on_loopback(string urls, string expected)
    {
        // When the machine running the tests sets an environment, it rightly wins over the default.
        Assert.Equal(HostEnvironment.IsExplicit([]) ? null : expected, HostEnvironment.Default(urls, []));
        Assert.Null(HostEnvironment.Default(urls, ["--environment", "Staging"]));
    }

    [Fact]
    public async Task Token_command_mints_a_token_the_server_accepts()
    {
        var (exit, output, error) = await RunAsync("token", "--user", "alice", "--role", "admin", "--role", "ops", "--ttl", "1h", $"--Switchboard:Auth:Secret={Secret}");
        Assert.True(exit == 0, error);
        var token = output.Trim();
        var check = await new TokenValidator(new SwitchboardAuthOptions { Secret = Secret }).ValidateAsync(token);
        Assert.True(check.IsValid, check.Error);
        Assert.Equal("alice", check.Identity!.UserId);
        Assert.Equal(["admin", "ops"], check.Identity.Roles.Order());
        Assert.InRange(check.Identity.ExpiresAt!.Value, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.Null(check.Identity.AllowedChannels);

        var wrongKey = await new TokenValidator(new SwitchboardAuthOptions { Secret = Secret + "x" }).ValidateAsync(token);
        Assert.False(wrongKey.IsValid);
    }

    [Fact]
    public async Task Token_command_without_a_secret_says_what_to_set()
    {
        var (exit, output, error) = await RunAsync("token", "--user", "alice");
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("Switchboard:Auth:Secret", error);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("1h", 3600)]
    [InlineData("7d", 604800)]
    [InlineData("01:30:00", 5400)]
    public void Ttl_formats(string text, int seconds)
    {
        Assert.True(TokenCommand.TryParseTtl(text, out var ttl));
        Assert.Equal(TimeSpan.FromSeconds(seconds), ttl);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-1h")]
    [InlineData("soon")]
    public void Bad_ttls_are_refused(string text) => Assert.False(TokenCommand.TryParseTtl(text, out _));

    private sealed class NamedEnvironment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "switchboard";

        public string ContentRootPath { get; set; } = Directory.GetCurrentDirectory();

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
