using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard check-token</c> as a process: serve's own decision about a token, with the reason when it refuses.</summary>
public sealed class CheckTokenTests
{
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(60);

    private const string Secret = "check-token-secret-of-32-bytes-or-more!";

    [Fact]
    public async Task A_token_minted_by_switchboard_token_is_accepted_with_its_user_roles_channels_and_expiry()
    {
        using var mint = ChildProcess.Switchboard(["token", "--user", "alice", "--role", "admin", "--role", "ops", "--channel", "orders.>", "--ttl", "2h", $"--Switchboard:Auth:Secret={Secret}"]);
        Assert.True(await mint.WaitForExitAsync(Exit) == 0, mint.Output);
        var token = mint.StandardOutput.Trim();

        using var check = ChildProcess.Switchboard(["check-token", token, $"--Switchboard:Auth:Secret={Secret}"]);
        Assert.True(await check.WaitForExitAsync(Exit) == 0, check.Output);
        var lines = check.StandardOutputLines;
        Assert.Equal("switchboard: serve accepts this token", lines[0]);
        Assert.Contains("  user: alice", lines);
        Assert.Contains("  roles: admin, ops", lines);
        Assert.Contains(lines, l => l.StartsWith("  channels: orders.> (the token narrows", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  expires: ", StringComparison.Ordinal) && l.EndsWith("(in 120 min)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_read_from_stdin_is_checked_the_same_way()
    {
        using var check = ChildProcess.Switchboard(["check-token", "-", $"--Switchboard:Auth:Secret={Secret}"], standardInput: true);
        await check.StandardInput.WriteLineAsync(Mint(Secret, DateTime.UtcNow.AddMinutes(30)));
        check.StandardInput.Close();
        Assert.True(await check.WaitForExitAsync(Exit) == 0, check.Output);
        Assert.Contains("  user: bob", check.StandardOutputLines);
        Assert.Contains("  channels: not narrowed by the token (the channel rules decide)", check.StandardOutputLines);
    }

    [Fact]
    public async Task An_expired_token_is_refused_as_expired_with_when_it_expired()
    {
        var token = Mint(Secret, DateTime.UtcNow.AddHours(-3));
        using var check = ChildProcess.Switchboard(["check-token", token, $"--Switchboard:Auth:Secret={Secret}"]);
        Assert.Equal(1, await check.WaitForExitAsync(Exit));
        Assert.StartsWith("switchboard: serve refuses this token: token expired (exp ", check.StandardError, StringComparison.Ordinal);
        Assert.Contains("3 h ago", check.StandardError, StringComparison.Ordinal);
        Assert.Empty(check.StandardOutput);
    }

    [Fact]
    public async Task A_forged_token_is_refused_for_its_signature()
    {
        var forged = Mint("another-secret-that-is-32-bytes-or-more", DateTime.UtcNow.AddHours(1));
        using var check = ChildProcess.Switchboard(["check-token", forged, $"--Switchboard:Auth:Secret={Secret}"]);
        Assert.Equal(1, await check.WaitForExitAsync(Exit));
        Assert.Equal("switchboard: serve refuses this token: invalid signature.", check.StandardError.Trim());
    }

    [Fact]
    public async Task A_token_whose_payload_was_altered_is_refused_for_its_signature()
    {
        var parts = Mint(Secret, DateTime.UtcNow.AddHours(1)).Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"bob\"", "\"admin\"", StringComparison.Ordinal);
        var altered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        using var check = ChildProcess.Switchboard(["check-token", altered, $"--Switchboard:Auth:Secret={Secret}"]);
        Assert.Equal(1, await check.WaitForExitAsync(Exit));
        Assert.Contains("invalid signature", check.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Switchboard:Auth:Issuer=https://login.example.com", "invalid issuer")]
    [InlineData("--Switchboard:Auth:Audience=switchboard", "invalid audience")]
    public async Task A_token_without_the_configured_issuer_or_audience_is_refused_with_which(string setting, string reason)
    {
        using var check = ChildProcess.Switchboard(["check-token", Mint(Secret, DateTime.UtcNow.AddHours(1)), $"--Switchboard:Auth:Secret={Secret}", setting]);
        Assert.Equal(1, await check.WaitForExitAsync(Exit));
        Assert.Contains($"serve refuses this token: {reason}.", check.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_every_token_is_refused_and_the_settings_to_set_are_named()
    {
        using var check = ChildProcess.Switchboard(["check-token", Mint(Secret, DateTime.UtcNow.AddHours(1))]);
        Assert.Equal(1, await check.WaitForExitAsync(Exit));
        Assert.Contains("serve refuses every token with this configuration", check.StandardError, StringComparison.Ordinal);
        Assert.Contains("Switchboard:Auth:Secret", check.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_configuration_exits_2_before_looking_at_the_token()
    {
        using var check = ChildProcess.Switchboard(["check-token", Mint(Secret, DateTime.UtcNow.AddHours(1)), "--Switchboard:Auth:Secert=" + Secret]);
        Assert.Equal(2, await check.WaitForExitAsync(Exit));
        Assert.Contains("unknown setting Switchboard:Auth:Secert (did you mean Secret?)", check.StandardError, StringComparison.Ordinal);
    }

    /// <summary>An HS256 token for <c>bob</c> (no roles, no channels) expiring at <paramref name="expires"/>.</summary>
    private static string Mint(string secret, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Claims = new Dictionary<string, object> { ["sub"] = "bob" },
        IssuedAt = expires.AddHours(-1),
        NotBefore = expires.AddHours(-1),
        Expires = expires,
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
    });
}
