using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Host;
using Switchboard.Server.Security;
using Switchboard.Server.Security.Internal;
using Switchboard.Server.Tests.Security;

namespace Switchboard.Server.Tests.Oidc;

/// <summary>
/// Switchboard's own tokens from an OpenID Connect provider (<c>Switchboard:Auth:Authority</c>, <c>JwksUrl</c>): keys
/// by discovery, rotation, a provider that goes down or never came up, hostile key endpoints, unknown-kid floods and
/// forged tokens, against a real provider stand-in over HTTP.
/// </summary>
public sealed class ProviderKeysTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task<TestServer> StartServerAsync(OidcStandIn provider, TimeSpan? keyRefresh = null, TimeSpan? timeout = null, bool jwksUrl = false) =>
        TestServer.StartAsync(
            configureServices: services => services.Configure<SwitchboardSecurityOptions>(o =>
            {
                if (jwksUrl)
                {
                    o.Auth.JwksUrl = provider.Authority + "/jwks";
                }
                else
                {
                    o.Auth.Authority = provider.Authority;
                }

                o.Auth.KeyRefreshInterval = keyRefresh ?? TimeSpan.FromSeconds(1);
                o.Auth.MetadataTimeout = timeout ?? TimeSpan.FromSeconds(10);
            }),
            configureApp: app => app.MapSwitchboardHealthChecks());

    [Fact]
    public async Task Serve_with_an_authority_accepts_the_providers_tokens_across_a_key_rotation_and_while_it_is_down()
    {
        await using var provider = await OidcStandIn.StartAsync();
        await using var app = ServeCommand.BuildApp("http://127.0.0.1:0", null, [$"--Switchboard:Auth:Authority={provider.Authority}", "--Switchboard:Auth:KeyRefreshInterval=00:00:01", "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var ws = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws");
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        await WaitUntilAsync(async () => (await http.GetAsync("/health/ready")).IsSuccessStatusCode);

        var first = provider.CurrentKid;
        await using (var alice = await ConnectAsync(ws, provider.Token("alice")))
        {
            Assert.Equal("alice", alice.Welcome["user"]!.GetValue<string>());
        }

        // The provider publishes a new key and signs with it: its kid is unknown until the keys are fetched again.
        var second = provider.Rotate();
        await using var bob = await RetryUntilWelcomedAsync(ws, () => provider.Token("bob", second));
        Assert.Equal("bob", bob.Welcome["user"]!.GetValue<string>());

        // The provider goes down: the cached keys, old and new, keep working.
        await provider.StopAsync();
        await using var carol = await ConnectAsync(ws, provider.Token("carol", first));
        await using var dave = await ConnectAsync(ws, provider.Token("dave", second));
        Assert.Equal("dave", dave.Welcome["user"]!.GetValue<string>());
        Assert.True((await http.GetAsync("/health/ready")).IsSuccessStatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task The_apps_JwtBearer_with_the_provider_as_authority_signs_users_in_across_a_key_rotation()
    {
        await using var provider = await OidcStandIn.StartAsync();
        await using var server = await TestServer.StartAsync(
            configureServices: services =>
            {
                services.AddAuthentication().AddJwtBearer(o =>
                {
                    o.Authority = provider.Authority;
                    o.RequireHttpsMetadata = false; // The stand-in is plain http on loopback.
                    o.Audience = Jwt.Audience;
                    o.RefreshInterval = TimeSpan.FromSeconds(1);
                });
                services.AddAuthorization();
            },
            configureApp: app => app.MapSwitchboard("/app").RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute { AuthenticationSchemes = "Bearer" }));
        var endpoint = new Uri($"ws://{server.BaseUri.Authority}/app");
        await using (var jane = await RetryUntilWelcomedAsync(endpoint, () => provider.Token("jane")))
        {
            Assert.Equal("jane", jane.Welcome["user"]!.GetValue<string>());
        }

        var rotated = provider.Rotate();
        await using var kim = await RetryUntilWelcomedAsync(endpoint, () => provider.Token("kim", rotated));
        Assert.Equal("kim", kim.Welcome["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_jwks_url_without_discovery_gives_the_keys_too()
    {
        await using var provider = await OidcStandIn.StartAsync();
        await using var server = await StartServerAsync(provider, jwksUrl: true);
        await using var client = await RetryUntilWelcomedAsync(server.WebSocketUri, () => provider.Token("erin"));
        Assert.Equal(0, provider.DiscoveryFetches);
    }

    [Fact]
    public async Task At_start_with_the_provider_down_readiness_is_unhealthy_with_the_reason_and_recovers_when_it_answers()
    {
        await using var provider = await OidcStandIn.StartAsync(ProviderMode.Down);
        await using var server = await StartServerAsync(provider);
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        var report = await WaitForUnreadyAsync(http, "the provider answered HTTP 503");

        await using (var refused = await server.ConnectRawAsync(options: o => o.SetRequestHeader("Authorization", "Bearer " + provider.Token("frank"))))
        {
            Assert.Equal("signing keys unavailable", await refused.AssertClosedWithoutWelcomeAsync(1008, Patience));
        }

        provider.Mode = ProviderMode.Normal;
        await WaitUntilAsync(async () => (await http.GetAsync("/health/ready")).IsSuccessStatusCode);
        await using var client = await server.ConnectWithTokenAsync(provider.Token("frank"));
        Assert.Equal("frank", client.Welcome["user"]!.GetValue<string>());
        Assert.Contains("no signing keys from", report);
    }

    [Theory]
    [InlineData(ProviderMode.Slow, "the provider did not answer in time")]
    [InlineData(ProviderMode.Garbage, "not valid JSON")]
    [InlineData(ProviderMode.Huge, "larger than 1048576 bytes")]
    public async Task A_hostile_key_endpoint_costs_bounded_time_and_memory_and_refuses_tokens(ProviderMode mode, string reason)
    {
        await using var provider = await OidcStandIn.StartAsync(mode);
        await using var server = await StartServerAsync(provider, timeout: TimeSpan.FromSeconds(2));
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        await WaitForUnreadyAsync(http, reason);

        await using var refused = await server.ConnectRawAsync(options: o => o.SetRequestHeader("Authorization", "Bearer " + provider.Token("gina")));
        await refused.AssertClosedWithoutWelcomeAsync(1008, Patience);
        Assert.True((await http.GetAsync("/health/live")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_flood_of_tokens_with_unknown_kids_costs_at_most_one_fetch_per_interval()
    {
        await using var provider = await OidcStandIn.StartAsync();
        await using var server = await StartServerAsync(provider, keyRefresh: TimeSpan.FromMinutes(5));
        await using (await RetryUntilWelcomedAsync(server.WebSocketUri, () => provider.Token("henry")))
        {
        }

        var before = provider.JwksFetches + provider.DiscoveryFetches;
        var tokens = server.Services.GetRequiredService<SecurityPolicy>().Tokens!;
        // Signed with a key the provider never published, each naming a kid it does not know.
        using var stranger = System.Security.Cryptography.RSA.Create(2048);
        for (var i = 0; i < 100; i++)
        {
            var check = await tokens.ValidateAsync(Jwt.Rs256(stranger, provider.Claims("mallory"), "unknown-" + i));
            Assert.Equal("invalid signature", check.Error);
        }

        // The first refresh request is granted (the provider may have rotated), every later one waits for the interval.
        Assert.InRange(provider.JwksFetches + provider.DiscoveryFetches - before, 0, 2);
    }

    [Fact]
    public async Task Forged_tokens_are_refused_algorithm_confusion_alg_none_and_another_issuer()
    {
        await using var provider = await OidcStandIn.StartAsync();
        await using var server = await StartServerAsync(provider);
        await using (await RetryUntilWelcomedAsync(server.WebSocketUri, () => provider.Token("ivan")))
        {
        }

        var tokens = server.Services.GetRequiredService<SecurityPolicy>().Tokens!;
        var confusion = Jwt.Hs256(System.Text.Encoding.ASCII.GetBytes(provider.PublicKeyPem()), provider.Claims("ivan"));
        Assert.Contains((await tokens.ValidateAsync(confusion)).Error, new[] { "token algorithm not allowed", "invalid signature" });
        Assert.False((await tokens.ValidateAsync(Jwt.None(provider.Claims("ivan")))).IsValid);

        var otherIssuer = provider.Claims("ivan");
        otherIssuer["iss"] = "https://login.other.example";
        Assert.Equal("invalid issuer", (await tokens.ValidateAsync(provider.Token(otherIssuer))).Error);

        await using var refused = await server.ConnectRawAsync(options: o => o.SetRequestHeader("Authorization", "Bearer " + confusion));
        await refused.AssertClosedWithoutWelcomeAsync(1008);
    }

    [Fact]
    public async Task Discovery_that_names_another_issuer_gives_no_keys()
    {
        await using var provider = await OidcStandIn.StartAsync();
        provider.IssuerOverride = "https://impostor.example";
        await using var server = await StartServerAsync(provider);
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        await WaitForUnreadyAsync(http, "issuer is not the authority");
    }

    [Theory]
    [InlineData("--Switchboard:Auth:Authority=http://login.example.com", "Switchboard:Auth:Authority must use https")]
    [InlineData("--Switchboard:Auth:JwksUrl=not a url", "Switchboard:Auth:JwksUrl must be an absolute http(s) URL")]
    [InlineData("--Switchboard:Auth:KeyRefreshInterval=00:00:00.100", "Switchboard:Auth:KeyRefreshInterval must be at least 00:00:01")]
    public async Task Serve_refuses_provider_settings_that_would_fetch_keys_unsafely(string flag, string message)
    {
        var (exit, _, error) = await HostSecurityTests.RunAsync("serve", "--urls", "http://127.0.0.1:0", "--Switchboard:Auth:Authority=https://login.example.com", flag);
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Plain_http_to_a_provider_is_allowed_on_loopback_or_when_asked_for()
    {
        Assert.Empty(ProviderKeys.Validate(new SwitchboardAuthOptions { Authority = "http://127.0.0.1:8080/realms/x" }));
        Assert.Empty(ProviderKeys.Validate(new SwitchboardAuthOptions { Authority = "http://localhost:8080" }));
        Assert.Empty(ProviderKeys.Validate(new SwitchboardAuthOptions { Authority = "http://keycloak:8080", RequireHttpsMetadata = false }));
        Assert.NotEmpty(ProviderKeys.Validate(new SwitchboardAuthOptions { Authority = "http://keycloak:8080" }));
    }

    private static Task<TestClient> ConnectAsync(Uri uri, string token) =>
        TestClient.ConnectAsync(uri, o => o.SetRequestHeader("Authorization", "Bearer " + token));

    /// <summary>Connects with a fresh token until one is welcomed: a new kid is accepted once a refresh fetched it.</summary>
    private static async Task<TestClient> RetryUntilWelcomedAsync(Uri uri, Func<string> token)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return await ConnectAsync(uri, token()); // Closed with 1008 before welcome while the kid is unknown.
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.Net.WebSockets.WebSocketException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<string> WaitForUnreadyAsync(HttpClient http, string reason)
    {
        string body = string.Empty;
        await WaitUntilAsync(async () =>
        {
            var response = await http.GetAsync("/health/ready");
            body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains(reason, StringComparison.Ordinal);
        });
        return body;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(100);
        }
    }
}
