using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Server.Tests.Proxy;

/// <summary>A backend that fails in any way gets the client <c>unavailable</c>, never an allow; everything else lives on.</summary>
public sealed partial class ProxyTests
{
    private static async Task HugeAnswerAsync(HttpContext context)
    {
        // 10 MB, chunked (no Content-Length), so the cap must hold while reading, not only on the header.
        context.Response.ContentType = "application/json";
        var chunk = new string('x', 64 * 1024);
        try
        {
            await context.Response.WriteAsync("""{"result":{"data":" """);
            for (var i = 0; i < 160; i++)
            {
                await context.Response.WriteAsync(chunk, context.RequestAborted);
            }

            await context.Response.WriteAsync("\"}}", context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // Switchboard stopped reading: the point of the test.
        }
    }

    [Theory]
    [InlineData("stopped")]
    [InlineData("slow")]
    [InlineData("500")]
    [InlineData("garbage")]
    [InlineData("unknown shape")]
    [InlineData("10 MB")]
    public async Task A_failing_backend_gets_the_client_unavailable_and_the_connection_server_and_other_channels_live(string failure)
    {
        await using var server = await StartServerAsync(o => o.Timeout = TimeSpan.FromSeconds(1)); // Slow is 3 s.
        _backend.Respond = failure switch
        {
            "slow" => static async (_, context) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted).ContinueWith(static _ => { }, TaskScheduler.Default);
                await ProxyBackend.Json(context, """{"result":{}}""");
            },
            "500" => static (_, context) =>
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return Task.CompletedTask;
            },
            "garbage" => static (_, context) => ProxyBackend.Json(context, "<html>not json"),
            "unknown shape" => static (_, context) => ProxyBackend.Json(context, """{"allowed":true}"""),
            "10 MB" => static (_, context) => HugeAnswerAsync(context),
            _ => _backend.Respond,
        };
        if (failure == "stopped")
        {
            await _backend.StopAsync();
        }

        await using var client = await server.ConnectAsync();
        Assert.Equal("unavailable", ErrorCode(await client.CommandAsync(Subscribe("orders.1"))));
        Assert.Equal("unavailable", ErrorCode(await client.CommandAsync(Publish("orders.1", "x"))));
        Assert.Equal("unavailable", ErrorCode(await client.CommandAsync(new JsonObject { ["type"] = "rpc", ["method"] = "orders.total" })));

        // The same connection, another client and a channel without proxying are unaffected.
        Assert.True(client.IsOpen);
        await client.SubscribeAsync("chat.room");
        await using var other = await server.ConnectAsync();
        await other.PublishAsync("chat.room", "still here");
        Assert.Equal("still here", (await client.ExpectMessageAsync("chat.room"))["data"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_circuit_opens_on_a_failing_backend_readiness_turns_degraded_and_it_closes_once_the_backend_is_back()
    {
        await using var server = await StartServerAsync(o => o.BreakDuration = TimeSpan.FromSeconds(1));
        _backend.Respond = static (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        };
        await using var client = await server.ConnectAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        // Ten failures (the breaker's minimum throughput) open it; from then on the backend is not called.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("unavailable", ErrorCode(await client.CommandAsync(Subscribe("orders.1"))));
        }

        var calls = _backend.Calls.Count;
        Assert.Equal("unavailable", ErrorCode(await client.CommandAsync(Subscribe("orders.1"))));
        Assert.Equal(calls, _backend.Calls.Count);
        var ready = await http.GetFromJsonAsync<JsonObject>("/health/ready");
        Assert.Equal("Degraded", ready!["checks"]!["switchboard-proxy"]!["status"]!.GetValue<string>());

        // Healed: after the break a trial call goes through and the circuit closes.
        _backend.Respond = static (_, context) => ProxyBackend.Json(context, """{"result":{}}""");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (ErrorCode(await client.CommandAsync(Subscribe("orders.1"))) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the circuit did not close after its break");
            await Task.Delay(200);
        }

        ready = await http.GetFromJsonAsync<JsonObject>("/health/ready");
        Assert.Equal("Healthy", ready!["checks"]!["switchboard-proxy"]!["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(30, 4, 4)]
    [InlineData(1000, 16, 64)] // The flood: a thousand subscribes hold no more than the bound's calls.
    public async Task Many_subscribes_at_once_against_a_slow_backend_stay_bounded_and_the_excess_is_refused_at_once(int clients, int concurrent, int queued)
    {
        await using var server = await StartServerAsync(o =>
        {
            o.MaxConcurrentCalls = concurrent;
            o.MaxQueuedCalls = queued;
            o.Timeout = TimeSpan.FromSeconds(60); // Only the bound refuses in this test, never the clock.
        });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _backend.Respond = async (_, context) =>
        {
            await gate.Task;
            await ProxyBackend.Json(context, """{"result":{}}""");
        };
        var connected = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => server.ConnectAsync()));
        try
        {
            var replies = connected.Select(c => c.CommandAsync(Subscribe("orders.flood"), TimeSpan.FromSeconds(60))).ToList();

            // With the backend holding every call, all but the bound's worth are refused without waiting for it.
            var refused = 0;
            while (refused < clients - concurrent - queued)
            {
                var done = await Task.WhenAny(replies);
                replies.Remove(done);
                Assert.Equal("unavailable", ErrorCode(await done));
                refused++;
            }

            Assert.True(_backend.MaxInFlight <= concurrent, $"{_backend.MaxInFlight} calls in flight, bound {concurrent}");
            gate.SetResult();
            foreach (var reply in await Task.WhenAll(replies))
            {
                Assert.Null(ErrorCode(reply));
            }

            Assert.Equal(concurrent + queued, _backend.Calls.Count);
        }
        finally
        {
            gate.TrySetResult();
            foreach (var client in connected)
            {
                await client.DisposeAsync();
            }
        }
    }
}
