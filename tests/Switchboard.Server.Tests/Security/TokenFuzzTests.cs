using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Security;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Tests.Security;

/// <summary>One generated hostile input: a token (sent in an auth message, or in the upgrade request) or a whole first frame.</summary>
public sealed record HostileAuth(string Kind, string Text)
{
    public override string ToString() => $"{Kind}: {(Text.Length > 120 ? Text[..120] + "..." : Text)}";
}

/// <summary>Generators of random and mutated tokens and auth messages.</summary>
public static class HostileAuthArbitrary
{
    public static readonly RSA Key = RSA.Create(2048);

    public static readonly string ValidToken = Jwt.Rs256(Key, Jwt.Claims("alice", "admin"));

    private static readonly char[] Alphabet = "abcXYZ019-_.=+/ {}\":,\\\u0000\u0001\u007f\u00e9\u0435\u200b\uff0e\u2024".ToCharArray();

    public static Arbitrary<HostileAuth> Inputs() => Gen.OneOf(MutatedToken(), RandomToken(), JwtShaped(), AuthFrame()).ToArbitrary();

    private static Gen<string> RandomString(int max) =>
        from length in Gen.Choose(0, max)
        from chars in Gen.ArrayOf(Gen.Elements(Alphabet), length)
        select new string(chars);

    private static Gen<HostileAuth> RandomToken() => RandomString(200).Select(s => new HostileAuth("token", s));

    private static Gen<HostileAuth> JwtShaped() =>
        from a in RandomString(40)
        from b in RandomString(80)
        from c in RandomString(60)
        select new HostileAuth("token", "eyJ" + a + "." + b + "." + c);

    /// <summary>
    /// A valid token changed once. Changes stay out of the signature's last character: base64url may leave its low bits
    /// unused, so changing it can decode to the same signature (a token that is still valid, not a forgery).
    /// </summary>
    private static Gen<HostileAuth> MutatedToken()
    {
        var lastDot = ValidToken.LastIndexOf('.');
        var parts = ValidToken.Split('.');
        return Gen.OneOf(
            from position in Gen.Choose(0, ValidToken.Length - 2)
            from replacement in Gen.Elements(Alphabet)
            where ValidToken[position] != replacement
            select Mutation(ValidToken[..position] + replacement + ValidToken[(position + 1)..]),
            from position in Gen.Choose(0, ValidToken.Length - 2)
            select Mutation(ValidToken.Remove(position, 1)),
            from position in Gen.Choose(0, ValidToken.Length - 1)
            from inserted in Gen.Elements(Alphabet)
            select Mutation(ValidToken.Insert(position, inserted.ToString())),
            from length in Gen.Choose(0, ValidToken.Length - 1)
            select Mutation(ValidToken[..length]),
            from alg in Gen.Elements("none", "None", "HS256", "RS512", "ES256", "PS256", "")
            select Mutation(Jwt.Encode(new JsonObject { ["alg"] = alg, ["typ"] = "JWT" }) + "." + parts[1] + "." + parts[2]),
            Gen.Constant(Mutation(parts[0] + "." + parts[1] + ".")),
            Gen.Constant(Mutation(parts[1] + "." + parts[0] + "." + parts[2])),
            Gen.Constant(Mutation(ValidToken + "." + parts[2])),
            Gen.Constant(Mutation(ValidToken[..lastDot] + "." + Jwt.Rs256(Key, Jwt.Claims("mallory", "admin")).Split('.')[2])));

        static HostileAuth Mutation(string token) => new("token", token);
    }

    private static Gen<HostileAuth> AuthFrame() =>
        from shape in Gen.Elements(
            "{\"type\":\"auth\"}",
            "{\"type\":\"auth\",\"token\":null}",
            "{\"type\":\"auth\",\"token\":42}",
            "{\"type\":\"auth\",\"token\":[\"a\"]}",
            "{\"type\":\"auth\",\"token\":{\"alg\":\"none\"}}",
            "{\"type\":\"auth\",\"token\":\"\"}",
            "{\"type\":\"Auth\",\"token\":\"TOKEN\"}",
            "{\"token\":\"TOKEN\"}",
            "{\"type\":\"refresh\",\"token\":\"TOKEN\"}",
            "{\"type\":\"subscribe\",\"channel\":\"chat.a\"}",
            "{\"type\":\"auth\",\"token\":\"TOKEN\"",
            "[\"auth\",\"TOKEN\"]",
            "\"auth\"",
            "RANDOM")
        from random in RandomString(100)
        select new HostileAuth("frame", shape == "RANDOM" ? random : shape.Replace("TOKEN", "x" + random.Replace("\\", "").Replace("\"", ""), StringComparison.Ordinal));
}

/// <summary>
/// Fuzz-style properties: random and mutated tokens and auth messages are never accepted, never crash the server, and
/// always get a documented answer (auth_invalid with a known message and close 1008).
/// </summary>
public sealed class TokenFuzzTests : IClassFixture<TokenFuzzTests.ServerFixture>
{
    /// <summary>Every message the server may give for a refused token.</summary>
    public static readonly HashSet<string> DocumentedTokenErrors =
    [
        "token is empty", "token is too long", "malformed token", "token expired", "token not yet valid", "token has no exp",
        "token algorithm not allowed", "invalid issuer", "invalid audience", "invalid signature", "invalid token",
        "token has no valid sub", "roles must be an array of strings", "channels must be an array of channel patterns",
        "info must be an object",
    ];

    private readonly ServerFixture _f;

    public TokenFuzzTests(ServerFixture fixture) => _f = fixture;

    [Property(Arbitrary = [typeof(HostileAuthArbitrary)], MaxTest = 500)]
    public bool Validator_never_accepts_a_random_or_mutated_token_and_always_names_why(HostileAuth input)
    {
        if (input.Kind != "token")
        {
            return true;
        }

        var check = Task.Run(() => _f.Validator.ValidateAsync(input.Text).AsTask()).GetAwaiter().GetResult();
        return !check.IsValid && DocumentedTokenErrors.Contains(check.Error!);
    }

    [Property(Arbitrary = [typeof(HostileAuthArbitrary)], MaxTest = 60)]
    public void Server_answers_every_hostile_first_message_with_auth_invalid_and_1008_and_keeps_serving(HostileAuth input) =>
        Task.Run(() => CheckOverSocketAsync(input)).GetAwaiter().GetResult();

    [Fact]
    public async Task The_unmutated_token_is_valid_so_the_properties_test_mutations_not_a_broken_baseline()
    {
        var check = await _f.Validator.ValidateAsync(HostileAuthArbitrary.ValidToken);
        Assert.True(check.IsValid, check.Error);
        await using var client = await _f.Server.ConnectWithTokenAsync(HostileAuthArbitrary.ValidToken);
        Assert.Equal("alice", client.Welcome["user"]!.GetValue<string>());
    }

    private async Task CheckOverSocketAsync(HostileAuth input)
    {
        var viaHeader = input.Kind == "token" && input.Text.Length > 0 && input.Text.All(c => c is > ' ' and < '\u007f');
        if (viaHeader)
        {
            await using var client = await _f.Server.ConnectRawAsync(options: o => o.SetRequestHeader("Authorization", "Bearer " + input.Text));
            Assert.Contains(await client.AssertClosedWithoutWelcomeAsync(1008) ?? string.Empty, DocumentedTokenErrors);
        }

        await using (var client = await _f.Server.ConnectRawAsync())
        {
            await client.ReceiveTypeAsync("auth_required");
            var frame = input.Kind == "token" ? new JsonObject { ["type"] = "auth", ["token"] = input.Text }.ToJsonString() : input.Text;
            await client.SendRawAsync(frame);
            var answer = await client.ReceiveAnyAsync();
            Assert.Equal("auth_invalid", answer["type"]!.GetValue<string>());
            var message = answer["message"]!.GetValue<string>();
            Assert.True(DocumentedTokenErrors.Contains(message) || message.StartsWith("expected an auth message", StringComparison.Ordinal), message);
            await client.AssertClosedWithoutWelcomeAsync(1008);
        }

        // The server still serves: a bystander's publication round trip works.
        var data = Guid.NewGuid().ToString("N");
        await _f.Bystander.PublishAsync("fuzz.check", data);
        Assert.Equal(data, (await _f.Listener.ReceiveTypeAsync("message"))["data"]!.GetValue<string>());
    }

    /// <summary>An RS256 server, its validator, and a bystander pair that must keep working.</summary>
    public sealed class ServerFixture : IAsyncLifetime
    {
        public TestServer Server { get; private set; } = null!;

        internal TokenValidator Validator { get; private set; } = null!;

        public TestClient Bystander { get; private set; } = null!;

        public TestClient Listener { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            void Configure(SwitchboardSecurityOptions o)
            {
                o.Auth.PublicKeyPem = HostileAuthArbitrary.Key.ExportSubjectPublicKeyInfoPem();
                o.Auth.Issuer = Jwt.Issuer;
                o.Auth.Audience = Jwt.Audience;
                o.Limits.MaxConnectionsPerIp = 0;
                o.Limits.CommandsPerSecond = 0;
            }

            var options = new SwitchboardSecurityOptions();
            Configure(options);
            Validator = new TokenValidator(options.Auth);
            Server = await TestServer.StartAsync(configureServices: services => services.Configure<SwitchboardSecurityOptions>(Configure));
            Bystander = await Server.ConnectWithTokenAsync(HostileAuthArbitrary.ValidToken);
            Listener = await Server.ConnectWithTokenAsync(HostileAuthArbitrary.ValidToken);

            // Both live as long as the property runs, which on a loaded machine can pass PingInterval + PongTimeout.
            Bystander.AnswerPings = true;
            Listener.AnswerPings = true;
            await Listener.SubscribeAsync("fuzz.check");
        }

        public async Task DisposeAsync()
        {
            await Bystander.DisposeAsync();
            await Listener.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
