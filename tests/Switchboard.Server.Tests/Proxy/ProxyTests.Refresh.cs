using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Server.Proxy;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Proxy;

/// <summary>The refresh call on the node's clock: a backend that fails is asked again with backoff, not every tick.</summary>
public sealed partial class ProxyTests
{
    private int RefreshCalls => _backend.Calls.Count(c => c.Kind == "refresh");

    [Fact]
    public async Task A_failing_refresh_call_backs_off_from_one_second_instead_of_calling_every_tick()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(
            o =>
            {
                o.PingInterval = TimeSpan.FromHours(1); // Out of the way of the clock's steps.
                o.PongTimeout = TimeSpan.FromHours(1);
            },
            s =>
            {
                s.Configure<SwitchboardProxyOptions>(o =>
                {
                    o.Timeout = TimeSpan.FromSeconds(10); // A cold first call on a loaded machine is not under test.
                    o.Connect.Url = _backend.Url("connect");
                    o.Refresh.Url = _backend.Url("refresh");
                });
                s.Configure<SwitchboardSecurityOptions>(o =>
                {
                    o.Auth.ClockSkew = TimeSpan.Zero;
                    o.Auth.TokenExpiringAhead = TimeSpan.FromMinutes(5); // Refreshing from the first tick on.
                });
            },
            timeProvider: time);
        var expireAt = time.GetUtcNow().AddMinutes(2).ToUnixTimeSeconds();
        _backend.Respond = (call, context) =>
        {
            if (call.Kind == "connect")
            {
                return ProxyBackend.Json(context, $$$"""{"result":{"user":"ada","expire_at":{{{expireAt}}}}}""");
            }

            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        };
        await using var client = await ConnectWithCookieAsync(server);

        // 15 s of the node's clock, one monitor tick (250 ms) at a time, each given up to 200 ms for the call it may
        // make. Every tick would be 60 calls; with backoff (1, 2, 4, 8 s, each ±20 %) the calls come at about 0, 1, 3,
        // 7 and 15 s.
        for (var step = 0; step < 60; step++)
        {
            var before = RefreshCalls;
            time.Advance(TimeSpan.FromMilliseconds(250));
            var waited = DateTime.UtcNow + TimeSpan.FromMilliseconds(200);
            while (RefreshCalls == before && DateTime.UtcNow < waited)
            {
                await Task.Delay(10);
            }
        }

        Assert.InRange(RefreshCalls, 3, 6);
        Assert.True(client.IsOpen); // A failure is not final: the connection lives until its expiry.
    }
}
