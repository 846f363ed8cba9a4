using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Security;

/// <summary>
/// One RS256 server with channel rules and tight limits, shared by the hostile-input table, and two well-behaved
/// clients on it (a subscriber and a publisher) that must keep getting every message whatever the rows do.
/// </summary>
public sealed class SecureServerFixture : IAsyncLifetime
{
    public const string WatchChannel = "chat.watch";
    public const int MaxConnectionsPerIp = 25;
    public const int MaxConnectionsPerUser = 5;
    public const int MaxPendingConnections = 5;
    public const int CommandsPerSecond = 200;
    public const int AbuseThreshold = 100;
    public static readonly TimeSpan AuthTimeout = TimeSpan.FromSeconds(1);
    public const string AllowedOrigin = "https://app.example.com";

    private int _round;

    public RSA Key { get; } = RSA.Create(2048);

    public string PublicKeyPem => Key.ExportSubjectPublicKeyInfoPem();

    public TestServer Server { get; private set; } = null!;

    public TestClient Subscriber { get; private set; } = null!;

    public TestClient Publisher { get; private set; } = null!;

    public static IReadOnlyList<ChannelRule> Rules { get; } =
    [
        new() { Pattern = "chat.>", Subscribe = "authenticated", Publish = "authenticated", Presence = "authenticated", History = "authenticated" },
        new() { Pattern = "admin.>", Subscribe = "role:admin", Publish = "role:admin", Presence = "role:admin", History = "role:admin" },
        new() { Pattern = "user.{sub}", Subscribe = "user", Publish = "role:admin", Presence = "none", History = "user" },
        new() { Pattern = "user.{sub}.>", Subscribe = "user", Publish = "user", Presence = "user", History = "user" },
        new() { Pattern = "news.>", Subscribe = "anyone", Publish = "none", Presence = "none", History = "anyone" },
    ];

    public string Token(string sub, params string[] roles) => Jwt.Rs256(Key, Jwt.Claims(sub, roles));

    public Task<TestClient> ConnectAsync(string sub, params string[] roles) => Server.ConnectWithTokenAsync(Token(sub, roles));

    public async Task InitializeAsync()
    {
        Server = await StartServerAsync(AuthTimeout);
        Subscriber = await ConnectAsync("watcher");
        Publisher = await ConnectAsync("publisher");

        // They live as long as the whole table runs, which on a loaded machine can pass PingInterval + PongTimeout.
        Subscriber.AnswerPings = true;
        Publisher.AnswerPings = true;
        await Subscriber.SubscribeAsync(WatchChannel);
    }

    /// <summary>A server with this fixture's keys, rules and limits and the given auth timeout.</summary>
    /// <remarks>
    /// The pending-connection row needs its own with a long timeout: with the shared 1 s one, a busy machine can close
    /// a pending connection at its timeout before the extra one arrives, freeing the slot the row means to be full.
    /// </remarks>
    public Task<TestServer> StartServerAsync(TimeSpan authTimeout) =>
        TestServer.StartAsync(configureServices: services => services.Configure<SwitchboardSecurityOptions>(o =>
        {
            o.Auth.PublicKeyPem = PublicKeyPem;
            o.Auth.Issuer = Jwt.Issuer;
            o.Auth.Audience = Jwt.Audience;
            o.Auth.ClockSkew = TimeSpan.FromSeconds(5);
            o.Auth.AuthTimeout = authTimeout;
            o.Channels.AddRange(Rules);
            o.Limits.MaxConnectionsPerIp = MaxConnectionsPerIp;
            o.Limits.MaxConnectionsPerUser = MaxConnectionsPerUser;
            o.Limits.MaxPendingConnections = MaxPendingConnections;
            o.Limits.CommandsPerSecond = CommandsPerSecond;
            o.Limits.CommandBurst = CommandsPerSecond;
            o.Limits.AbuseThreshold = AbuseThreshold;
            o.AllowedOrigins.Add(AllowedOrigin);
        }));

    /// <summary>
    /// The well-behaved pair is still connected, and every one of a fresh run of publications arrives, in order, with
    /// consecutive offsets: nothing a hostile client did cost anyone else a message.
    /// </summary>
    public async Task AssertWellBehavedClientsGetEverythingAsync()
    {
        const int count = 10;
        var round = Interlocked.Increment(ref _round);
        Assert.True(Subscriber.IsOpen && Publisher.IsOpen, "a well-behaved client was disconnected");
        var offsets = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var result = await Publisher.PublishAsync(WatchChannel, new JsonObject { ["round"] = round, ["n"] = i });
            offsets.Add(result!["offset"]!.GetValue<long>());
        }

        var messages = await Subscriber.ReceiveMessagesAsync(count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(round, messages[i]["data"]!["round"]!.GetValue<int>());
            Assert.Equal(i, messages[i]["data"]!["n"]!.GetValue<int>());
            Assert.Equal(offsets[i], messages[i]["offset"]!.GetValue<long>());
            Assert.Equal("publisher", messages[i]["from"]!["user"]!.GetValue<string>());
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => offsets[0] + i), offsets);
    }

    public async Task DisposeAsync()
    {
        await Subscriber.DisposeAsync();
        await Publisher.DisposeAsync();
        await Server.DisposeAsync();
        Key.Dispose();
    }
}
