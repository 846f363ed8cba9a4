using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Security;
using Switchboard.Server.Tests.Security;

namespace Switchboard.Server.Tests.Intake;

/// <summary>
/// Idempotency keys are scoped by their source: a user's keys are the user's, anonymous clients share one scope,
/// application code has its own, and the NATS bridge's prefix is reserved. A key resent after a reconnect is still
/// recognised. (The bridge side is in Switchboard.Nats.Tests.)
/// </summary>
public sealed class IdempotencyScopeTests
{
    private const string Secret = "idempotency-tests-secret-of-32-bytes-or-more";

    private static JsonObject Publish(string channel, int n, string key) => new() { ["type"] = "publish", ["channel"] = channel, ["data"] = n, ["key"] = key };

    private static string Token(string sub)
    {
        var claims = Jwt.Claims(sub);
        claims.Remove("iss");
        claims.Remove("aud");
        return Jwt.Hs256(Encoding.UTF8.GetBytes(Secret), claims);
    }

    private static Task<TestServer> StartWithTokensAsync() => TestServer.StartAsync(configureServices: s => s.Configure<SwitchboardSecurityOptions>(o => o.Auth.Secret = Secret));

    [Fact]
    public async Task A_key_used_by_application_code_does_not_suppress_a_clients_publish_with_the_same_key()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var switchboard = server.Services.GetRequiredService<ISwitchboard>();

        var byApplication = await switchboard.PublishAsync("scope.app", "1"u8.ToArray(), "order-1");
        var byClient = await client.OkAsync(Publish("scope.app", 2, "order-1"));
        var byApplicationAgain = await switchboard.PublishAsync("scope.app", "3"u8.ToArray(), "order-1");

        Assert.Equal(1, byApplication.Position.Offset);
        Assert.Equal(2, byClient!["offset"]!.GetValue<long>());
        Assert.True(byApplicationAgain.Duplicate);
        Assert.Equal(1, byApplicationAgain.Position.Offset);
    }

    [Fact]
    public async Task Two_users_with_the_same_key_each_publish_and_a_users_resend_after_a_reconnect_is_one_publication()
    {
        await using var server = await StartWithTokensAsync();
        await using var alice = await server.ConnectWithTokenAsync(Token("alice"));
        await using (var bob = await server.ConnectWithTokenAsync(Token("bob")))
        {
            Assert.Equal(1, (await alice.OkAsync(Publish("scope.users", 1, "k-1")))!["offset"]!.GetValue<long>());
            Assert.Equal(2, (await bob.OkAsync(Publish("scope.users", 2, "k-1")))!["offset"]!.GetValue<long>());
        }

        // Bob's connection is gone; the same publish sent again from his next connection is recognised as his.
        await using var bobAgain = await server.ConnectWithTokenAsync(Token("bob"));
        Assert.Equal(2, (await bobAgain.OkAsync(Publish("scope.users", 3, "k-1")))!["offset"]!.GetValue<long>());
        var history = await server.Services.GetRequiredService<ISwitchboard>().GetHistoryAsync("scope.users");
        Assert.Equal(["1", "2"], history.Publications.Select(p => Encoding.UTF8.GetString(p.Data.Span)));
    }

    [Fact]
    public async Task An_anonymous_clients_resend_after_a_reconnect_is_one_publication()
    {
        // Anonymous connections have no identity that survives a reconnect, so they share one scope (apart from users and application code).
        await using var server = await TestServer.StartAsync();
        await using (var first = await server.ConnectAsync())
        {
            Assert.Equal(1, (await first.OkAsync(Publish("scope.anonymous", 1, "k-2")))!["offset"]!.GetValue<long>());
        }

        await using var again = await server.ConnectAsync();
        Assert.Equal(1, (await again.OkAsync(Publish("scope.anonymous", 1, "k-2")))!["offset"]!.GetValue<long>());
        Assert.Single((await server.Services.GetRequiredService<ISwitchboard>().GetHistoryAsync("scope.anonymous")).Publications);
    }

    [Theory]
    [InlineData("nats:INVOICES:5")]
    [InlineData("nats:evt-1")]
    public async Task Keys_with_the_nats_bridges_prefix_are_refused_to_clients_and_application_code(string key)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var reply = await client.CommandAsync(Publish("scope.reserved", 1, key));
        Assert.False(reply["success"]!.GetValue<bool>());
        Assert.Equal("bad_request", reply["error"]!["code"]!.GetValue<string>());
        Assert.Equal("keys starting with 'nats:' are reserved for the NATS bridge", reply["error"]!["message"]!.GetValue<string>());
        var switchboard = server.Services.GetRequiredService<ISwitchboard>();
        await Assert.ThrowsAsync<ArgumentException>(() => switchboard.PublishAsync("scope.reserved", "1"u8.ToArray(), key).AsTask());
        Assert.Empty((await switchboard.GetHistoryAsync("scope.reserved")).Publications);
    }
}
