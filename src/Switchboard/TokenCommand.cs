using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Server;
using Switchboard.Server.Security;

namespace Switchboard.Host;

/// <summary><c>switchboard token</c>: mints an HS256 token from the configured secret, for development and tests.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var user = new Option<string>("--user") { Description = "The user id (sub claim).", Required = true };
        var roles = new Option<string[]>("--role") { Description = "A role (repeatable).", AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.ZeroOrMore };
        var channels = new Option<string[]>("--channel") { Description = "A channel pattern the token may subscribe to (repeatable; narrows the channel rules).", Arity = ArgumentArity.ZeroOrMore };
        var ttl = new Option<string>("--ttl") { Description = "How long the token is valid: 90s, 30m, 1h, 7d or hh:mm:ss.", DefaultValueFactory = _ => "1h" };
        var config = new Option<FileInfo>("--config") { Description = "An extra JSON configuration file, read after appsettings.json. It must exist: a missing file stops the command rather than running without its settings." }.AcceptExistingOnly();
        var command = new Command("token", "Print a token signed with Switchboard:Auth:Secret (HS256), from the same configuration as serve. Any --Section:Key=value flag sets a configuration value.")
        {
            user,
            roles,
            channels,
            ttl,
            config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!TryParseTtl(parse.GetValue(ttl)!, out var lifetime))
            {
                error.WriteLine("switchboard: --ttl must be a positive duration such as 90s, 30m, 1h, 7d or 01:30:00.");
                return 2;
            }

            var security = LoadSecurityOptions(parse.GetValue(config), [.. parse.UnmatchedTokens]);
            if (string.IsNullOrEmpty(security.Auth.Secret))
            {
                error.WriteLine("switchboard: token needs an HS256 secret: set Switchboard:Auth:Secret (appsettings.json, --config, Switchboard__Auth__Secret or --Switchboard:Auth:Secret=...).");
                return 2;
            }

            if (Encoding.UTF8.GetByteCount(security.Auth.Secret) < 32)
            {
                error.WriteLine("switchboard: Switchboard:Auth:Secret must be at least 32 bytes long for HS256.");
                return 2;
            }

            output.WriteLine(Mint(security.Auth, parse.GetValue(user)!, parse.GetValue(roles) ?? [], parse.GetValue(channels) ?? [], lifetime, DateTime.UtcNow));
            return 0;
        });
        return command;
    }

    /// <summary>Creates an HS256 token with <c>sub</c>, <c>roles</c>, optional <c>channels</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>, and <c>iss</c>/<c>aud</c> when configured.</summary>
    public static string Mint(SwitchboardAuthOptions auth, string user, IReadOnlyList<string> roles, IReadOnlyList<string> channels, TimeSpan lifetime, DateTime now)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = user,
            ["roles"] = roles.ToList(),
        };
        if (channels.Count > 0)
        {
            claims["channels"] = channels.ToList();
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Issuer = string.IsNullOrEmpty(auth.Issuer) ? null : auth.Issuer,
            Audience = string.IsNullOrEmpty(auth.Audience) ? null : auth.Audience,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.Secret!)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public static bool TryParseTtl(string text, out TimeSpan ttl)
    {
        ttl = default;
        text = text.Trim();
        if (text.Length >= 2 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            ttl = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => TimeSpan.Zero,
            };
        }
        else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed))
        {
            ttl = parsed;
        }

        return ttl > TimeSpan.Zero;
    }

    /// <summary>The same sources as <c>serve</c>: appsettings.json, appsettings.{environment}.json, --config, environment variables, flags.</summary>
    private static SwitchboardSecurityOptions LoadSecurityOptions(FileInfo? configFile, string[] configArgs)
    {
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Development;
        var builder = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true);
        if (configFile is not null)
        {
            builder.AddJsonFile(configFile.FullName, optional: false);
        }

        builder.AddEnvironmentVariables().AddCommandLine(configArgs);
        var options = new SwitchboardSecurityOptions();
        builder.Build().GetSection(SwitchboardOptions.SectionName).Bind(options);
        return options;
    }
}
