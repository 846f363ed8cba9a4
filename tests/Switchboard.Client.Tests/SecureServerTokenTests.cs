using System.Text.Json;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;
using Switchboard.Server.Tests.Security;

namespace Switchboard.Client.Tests;

/// <summary>
/// The client's token handling against the real secured server (HS256, <c>TokenExpiringAhead</c> 2 s, no clock
/// skew): real JWTs accepted and refused, <c>token_expiring</c> answered with <c>refresh</c> on the same connection,
/// and 4001 when no refresh succeeds, followed by a reconnect with a fresh token that recovers what was missed.
/// </summary>
public sealed class SecureServerTokenTests : IAsyncLifetime
{
    private static readonly ReconnectPolicy FastRetry = new() { MinDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) };

    private ServerHost _host = null!;

    public async Task InitializeAsync() => _host = await SecureHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private SwitchboardClient NewClient(ScriptedTokens tokens) => new(new SwitchboardClientOptions
    {
        Url = _host.WebSocketUri,
        TokenProvider = tokens.Provider,
        Reconnect = FastRetry,
    });

    private static async Task PublishSeqAsync(SwitchboardClient client, string channel, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await client.PublishAsync(channel, JsonDocument.Parse($"{{\"seq\":{i}}}").RootElement).OrTimeout();
        }
    }

    [Fact]
    public async Task A_valid_token_is_accepted_and_welcome_names_its_user()
    {
        var tokens = new ScriptedTokens(_ => SecureHost.Token("alice"));
        await using var client = NewClient(tokens);
        await client.ConnectAsync().OrTimeout();

        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal("alice", client.User);
        var collector = new Collector();
        await using var subscription = await client.SubscribeAsync("chat.general", collector.Handler).OrTimeout();
        await PublishSeqAsync(client, "chat.general", 1, 3);
        var received = await collector.WaitForAsync(3);
        Assert.Equal([1, 2, 3], Publish.Seqs(received));
        Assert.All(received, p => Assert.Equal("alice", p.From!.User));
        Assert.Equal(1, tokens.Calls);
    }

    [Fact]
    public async Task A_token_the_server_rejects_closes_with_1008_and_the_client_stops()
    {
        var tokens = new ScriptedTokens(_ => SecureHost.ForeignToken("mallory"));
        await using var client = NewClient(tokens);

        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync().OrTimeout());
        Assert.Equal(CloseCodes.PolicyViolation, error.Disconnect!.CloseCode);
        Assert.Equal(ConnectionState.Disconnected, client.State);
        Assert.Equal(new DisconnectInfo(CloseCodes.PolicyViolation, "invalid signature", false), client.LastDisconnect);
        Assert.Equal(1, tokens.Calls);
        Assert.Null(client.User);
    }

    [Fact]
    public async Task A_token_rejected_on_reconnect_stops_the_client_and_fails_what_waits()
    {
        // 1: expires in about 2-3 s; 2 (the refresh): the provider fails; 3 (the reconnect after 4001): already expired,
        // handed out only once the test has a publish waiting in the offline buffer.
        var publishWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokens = new ScriptedTokens(async call =>
        {
            switch (call)
            {
                case 1:
                    return SecureHost.Token("alice", Jwt.Now + 3);
                case 2:
                    throw new InvalidOperationException("the identity provider is down");
                default:
                    await publishWaiting.Task;
                    return SecureHost.Token("alice", Jwt.Now - 60);
            }
        });
        await using var client = NewClient(tokens);
        await client.ConnectAsync().OrTimeout();

        await client.WaitForStateAsync(ConnectionState.Reconnecting).OrTimeout();
        Assert.Equal(CloseCodes.TokenExpired, client.LastDisconnect!.CloseCode);
        var publish = client.PublishAsync("chat.x", JsonDocument.Parse("1").RootElement);
        publishWaiting.SetResult();

        await client.WaitForStateAsync(ConnectionState.Disconnected).OrTimeout();
        Assert.Equal(new DisconnectInfo(CloseCodes.PolicyViolation, "token expired", false), client.LastDisconnect);
        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => publish.OrTimeout());
        Assert.Equal(CloseCodes.PolicyViolation, error.Disconnect!.CloseCode);
        Assert.Equal(3, tokens.Calls);
    }

    [Fact]
    public async Task Token_expiring_refreshes_on_the_same_connection_which_outlives_the_first_token()
    {
        var firstExp = Jwt.Now + 3;
        var tokens = new ScriptedTokens(call => SecureHost.Token("alice", call == 1 ? firstExp : Jwt.Now + 3600));
        await using var client = NewClient(tokens);
        var changes = new List<ConnectionState>();
        client.StateChanged += (_, e) =>
        {
            lock (changes)
            {
                changes.Add(e.Current);
            }
        };
        await client.ConnectAsync().OrTimeout();
        var connectionId = client.ClientId;
        var collector = new Collector();
        await using var subscription = await client.SubscribeAsync("chat.refresh", collector.Handler).OrTimeout();
        await PublishSeqAsync(client, "chat.refresh", 1, 5);

        // The second call can only come from token_expiring: nothing has reconnected.
        await tokens.WaitForCallsAsync(2, "the provider called for the refresh");

        // Past the first token's exp (plus the server's 250 ms check interval) the connection must still be there:
        // waiting for it to be lost has to time out.
        var untilPastExp = SecureHost.ExpiresAt(firstExp) - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        await Assert.ThrowsAsync<TimeoutException>(() => client.WaitForStateAsync(ConnectionState.Reconnecting).WaitAsync(untilPastExp));

        await PublishSeqAsync(client, "chat.refresh", 6, 5);
        Assert.Equal(Enumerable.Range(1, 10), Publish.Seqs(await collector.WaitForAsync(10)));
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(connectionId, client.ClientId);
        Assert.Null(client.LastDisconnect);
        Assert.Equal(2, tokens.Calls);
        lock (changes)
        {
            Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected], changes);
        }
    }

    [Fact]
    public async Task A_provider_that_hands_back_the_expiring_token_causes_no_refresh_storm()
    {
        // A provider that caches its token until it expires. Sending that token as a refresh changes nothing, yet
        // the server takes it as a new token and warns again on its next check (every 250 ms) until exp: with a 2-3 s
        // token and token_expiring 2 s ahead, a client that sent it would be asked about eight times.
        var cached = SecureHost.Token("alice", Jwt.Now + 3);
        var tokens = new ScriptedTokens(_ => cached);
        await using var client = NewClient(tokens);
        await client.ConnectAsync().OrTimeout();

        // 4001 at exp, then the reconnect with the same, now expired, token is refused with 1008.
        await client.WaitForStateAsync(ConnectionState.Disconnected).OrTimeout();
        Assert.Equal(new DisconnectInfo(CloseCodes.PolicyViolation, "token expired", false), client.LastDisconnect);
        Assert.Equal(3, tokens.Calls); // Connect, one token_expiring, the reconnect.
    }

    [Theory]
    [InlineData("provider throws")]
    [InlineData("invalid token")]
    public async Task Without_a_refresh_the_server_closes_with_4001_and_the_client_reconnects_with_a_fresh_token_and_recovers(string refresh)
    {
        const string channel = "chat.expiry";
        var reconnectAllowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokens = new ScriptedTokens(async call =>
        {
            switch (call)
            {
                case 1:
                    return SecureHost.Token("alice", Jwt.Now + 3);
                case 2 when refresh == "provider throws":
                    throw new InvalidOperationException("the identity provider is down");
                case 2:
                    return SecureHost.ForeignToken("alice");
                default:
                    // The reconnect waits until the test has published while the client was away.
                    await reconnectAllowed.Task;
                    return SecureHost.Token("alice");
            }
        });
        await using var subscriber = NewClient(tokens);
        await using var publisher = NewClient(new ScriptedTokens(_ => SecureHost.Token("bob")));
        await subscriber.ConnectAsync().OrTimeout();
        await publisher.ConnectAsync().OrTimeout();
        var firstConnection = subscriber.ClientId;
        var collector = new Collector();
        await using var subscription = await subscriber.SubscribeAsync(channel, collector.Handler).OrTimeout();

        await PublishSeqAsync(publisher, channel, 1, 10);
        await collector.WaitForAsync(10);
        await subscriber.WaitForStateAsync(ConnectionState.Reconnecting).OrTimeout();
        Assert.Equal(new DisconnectInfo(CloseCodes.TokenExpired, "token expired", true), subscriber.LastDisconnect);

        await tokens.WaitForCallsAsync(3, "the provider called for the reconnect");
        await PublishSeqAsync(publisher, channel, 11, 50);
        reconnectAllowed.SetResult();
        await subscriber.WaitForStateAsync(ConnectionState.Connected).OrTimeout();
        await PublishSeqAsync(publisher, channel, 61, 10);

        Assert.Equal(Enumerable.Range(1, 70), Publish.Seqs(await collector.WaitForAsync(70)));
        Assert.True(subscription.Recovered);
        Assert.NotEqual(firstConnection, subscriber.ClientId);
        Assert.Equal("alice", subscriber.User);
        Assert.Equal(3, tokens.Calls);
        Assert.Equal(ConnectionState.Connected, publisher.State);
    }
}
