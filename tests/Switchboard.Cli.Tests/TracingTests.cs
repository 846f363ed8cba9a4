using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Switchboard.Server.Diagnostics;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The spans on the <c>Switchboard</c> activity source (what <c>serve</c> exports over OTLP), read in-process with an
/// <see cref="ActivityListener"/>: one per connection admission and per subscribe, publish and rpc, with their tags
/// and OpenTelemetry's messaging attributes.
/// </summary>
public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SwitchboardActivities.SourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task Connect_subscribe_publish_and_rpc_each_make_a_span_with_their_tags()
    {
        await using var server = await SwitchboardTestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        await client.SubscribeAsync("trace.a");
        await client.PublishAsync("trace.a", new JsonObject { ["n"] = 1 });
        await client.RpcAsync("echo", "traced");
        var unknown = await Assert.ThrowsAsync<SwitchboardCommandException>(() => client.RpcAsync("trace.no_such_method"));

        var connect = await SpanAsync(s => s.OperationName == "switchboard.connect" && (string?)s.GetTagItem("network.peer.address") == "127.0.0.1");
        Assert.Equal(ActivityKind.Server, connect.Kind);
        Assert.Equal(ActivityStatusCode.Unset, connect.Status);
        Assert.Equal("switchboard", connect.GetTagItem("messaging.system"));

        var subscribe = await SpanAsync(s => s.OperationName == "switchboard.subscribe" && Destination(s) == "trace.a");
        Assert.Equal("subscribe", subscribe.GetTagItem("switchboard.command"));
        Assert.Equal(ActivityKind.Server, subscribe.Kind);
        Assert.Equal("switchboard", subscribe.GetTagItem("messaging.system"));
        Assert.Equal("subscribe", subscribe.GetTagItem("messaging.operation.name"));
        Assert.Equal("receive", subscribe.GetTagItem("messaging.operation.type"));

        var publish = await SpanAsync(s => s.OperationName == "switchboard.publish" && Destination(s) == "trace.a");
        Assert.Equal("publish", publish.GetTagItem("switchboard.command"));
        Assert.Null(publish.GetTagItem("error.type"));
        Assert.Equal("switchboard", publish.GetTagItem("messaging.system"));
        Assert.Equal("publish", publish.GetTagItem("messaging.operation.name"));
        Assert.Equal("send", publish.GetTagItem("messaging.operation.type"));

        var rpc = await SpanAsync(s => s.OperationName == "switchboard.rpc" && Destination(s) == "echo");
        Assert.Equal("rpc", rpc.GetTagItem("switchboard.command"));
        Assert.Equal("rpc", rpc.GetTagItem("messaging.operation.name"));
        Assert.Null(rpc.GetTagItem("messaging.operation.type")); // An rpc moves no message.

        var failed = await SpanAsync(s => s.OperationName == "switchboard.rpc" && Destination(s) == "trace.no_such_method");
        Assert.Equal("not_found", unknown.Code);
        Assert.Equal("not_found", failed.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
    }

    public void Dispose() => _listener.Dispose();

    private static string? Destination(Activity span) => span.GetTagItem("messaging.destination.name") as string;

    /// <summary>Waits for a stopped span (a command's span ends just after its reply is queued, so it may trail the reply).</summary>
    private async Task<Activity> SpanAsync(Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (_spans.FirstOrDefault(match) is { } span)
            {
                return span;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no such span; stopped spans: {string.Join(", ", _spans.Select(s => s.DisplayName))}");
            await Task.Delay(20);
        }
    }
}
