using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Switchboard.Bench;

/// <summary>What a received message is, as far as the load generator cares.</summary>
internal enum IncomingKind
{
    Other,
    Publication,
    Reply,
    Ping,
}

/// <summary>The position a subscribe reported, and what it recovered.</summary>
internal sealed record SubscribeOutcome(long Offset, string? Epoch, bool Recovered, IReadOnlyList<(long Sequence, long Offset)> Publications);

/// <summary>
/// How the load generator speaks to one kind of server: the URLs, the subscribe/publish/rpc messages, and how to tell
/// publications, replies and heartbeats apart. The measurement code is shared, so the three servers are compared on
/// the same client.
/// </summary>
/// <remarks>Thread safety: stateless, shared by every client.</remarks>
internal abstract class BenchTarget
{
    protected static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The names of <c>--target</c>, in the order compare.sh runs them.</summary>
    private static readonly string[] NameList = ["switchboard", "switchboard-batch", "signalr", "raw", "node", "topicmanager"];

    public static IReadOnlyList<string> Names => NameList;

    public abstract BenchTargetKind Kind { get; }

    /// <summary>The target's name on the command line and in reports.</summary>
    public string Name => NameOf(Kind);

    public abstract Uri DefaultUrl { get; }

    /// <summary>The byte between messages of one frame, or 0 when a frame holds one message.</summary>
    public abstract byte Separator { get; }

    /// <summary>Whether a resubscribe can recover what was missed (the reconnect-storm mode checks it).</summary>
    public virtual bool SupportsRecovery => false;

    /// <summary>The answer to a server heartbeat.</summary>
    public abstract ReadOnlyMemory<byte> PingReply { get; }

    public static BenchTarget For(BenchSettings settings) => settings.Target switch
    {
        BenchTargetKind.Switchboard => new SwitchboardTarget(batch: false),
        BenchTargetKind.SwitchboardBatch => new SwitchboardTarget(batch: true),
        BenchTargetKind.SignalR => new SignalRTarget(),
        BenchTargetKind.Node => new RawTarget(BenchTargetKind.Node, new Uri("ws://127.0.0.1:5300/ws")),
        BenchTargetKind.TopicManager => new TopicManagerTarget(settings.HttpPublishers),
        _ => new RawTarget(BenchTargetKind.Raw, new Uri("ws://127.0.0.1:5200/ws")),
    };

    public static string NameOf(BenchTargetKind kind) => NameList[kind switch
    {
        BenchTargetKind.Switchboard => 0,
        BenchTargetKind.SwitchboardBatch => 1,
        BenchTargetKind.SignalR => 2,
        BenchTargetKind.Raw => 3,
        BenchTargetKind.Node => 4,
        _ => 5,
    }];

    public static BenchTargetKind Parse(string name) => Array.IndexOf(NameList, name) switch
    {
        1 => BenchTargetKind.SwitchboardBatch,
        2 => BenchTargetKind.SignalR,
        3 => BenchTargetKind.Raw,
        4 => BenchTargetKind.Node,
        5 => BenchTargetKind.TopicManager,
        _ => BenchTargetKind.Switchboard,
    };

    public virtual Uri SubscriberUri(Uri url) => url;

    public virtual Uri PublisherUri(Uri url) => url;

    public virtual Uri RpcUri(Uri url) => url;

    /// <summary>Whatever must happen between the WebSocket upgrade and the first command.</summary>
    public virtual Task HandshakeAsync(BenchClient client, CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract Task<SubscribeOutcome> SubscribeAsync(BenchClient client, string channel, (long Offset, string Epoch)? since, CancellationToken cancellationToken);

    public abstract void WritePublish(IBufferWriter<byte> output, string channel, long sequence, long timestamp, int payloadBytes);

    /// <summary>Sends what <see cref="WritePublish"/> wrote: over the publisher's WebSocket, unless the target publishes another way.</summary>
    public virtual ValueTask PublishAsync(BenchClient publisher, Uri url, ReadOnlyMemory<byte> publication, CancellationToken cancellationToken) =>
        publisher.SendAsync(publication, cancellationToken);

    public abstract void WriteRpc(IBufferWriter<byte> output, long id, string method);

    public abstract IncomingKind Classify(ReadOnlySpan<byte> message);

    protected static Uri WithQuery(Uri url, string query) =>
        new UriBuilder(url) { Query = string.IsNullOrEmpty(url.Query) ? query : url.Query.TrimStart('?') + "&" + query }.Uri;
}

/// <summary>
/// Switchboard protocol v1, either as a plain client (one message per frame) or as a batching one (<c>?batch=1</c>,
/// as the SDKs connect: a frame may hold several messages separated by <c>\n</c>).
/// </summary>
internal sealed class SwitchboardTarget(bool batch) : BenchTarget
{
    private static readonly byte[] Pong = "{\"type\":\"pong\"}"u8.ToArray();

    public override BenchTargetKind Kind => batch ? BenchTargetKind.SwitchboardBatch : BenchTargetKind.Switchboard;

    public override Uri DefaultUrl { get; } = new("ws://127.0.0.1:8000/ws");

    public override byte Separator => batch ? (byte)'\n' : (byte)0;

    public override bool SupportsRecovery => true;

    public override ReadOnlyMemory<byte> PingReply => Pong;

    public override Uri SubscriberUri(Uri url) => !batch || url.Query.Contains("batch=", StringComparison.Ordinal) ? url : WithQuery(url, "batch=1");

    public override Uri PublisherUri(Uri url) => SubscriberUri(url);

    public override Uri RpcUri(Uri url) => SubscriberUri(url);

    public override async Task<SubscribeOutcome> SubscribeAsync(BenchClient client, string channel, (long Offset, string Epoch)? since, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "subscribe");
            w.WriteNumber("id", 1);
            w.WriteString("channel", channel);
            if (since is { } position)
            {
                w.WriteStartObject("since");
                w.WriteNumber("offset", position.Offset);
                w.WriteString("epoch", position.Epoch);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        var reply = await client.RequestAsync(buffer.WrittenMemory, RequestTimeout, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(reply);
        var root = document.RootElement;
        if (!root.TryGetProperty("success", out var success) || !success.GetBoolean())
        {
            throw new InvalidOperationException($"subscribe failed: {Encoding.UTF8.GetString(reply)}");
        }

        var result = root.GetProperty("result");
        var offset = result.TryGetProperty("offset", out var o) ? o.GetInt64() : 0;
        var epoch = result.TryGetProperty("epoch", out var e) ? e.GetString() : null;
        var recovered = result.TryGetProperty("recovered", out var r) && r.GetBoolean();
        var publications = new List<(long, long)>();
        if (result.TryGetProperty("publications", out var list))
        {
            foreach (var publication in list.EnumerateArray())
            {
                publications.Add((publication.GetProperty("data").GetProperty("s").GetInt64(), publication.GetProperty("offset").GetInt64()));
            }
        }

        return new SubscribeOutcome(offset, epoch, recovered, publications);
    }

    public override void WritePublish(IBufferWriter<byte> output, string channel, long sequence, long timestamp, int payloadBytes)
    {
        Write(output, "{\"type\":\"publish\",\"channel\":\"");
        Write(output, channel);
        Write(output, "\",\"data\":");
        PayloadCodec.Write(output, sequence, timestamp, payloadBytes);
        Write(output, "}");
    }

    public override void WriteRpc(IBufferWriter<byte> output, long id, string method)
    {
        Write(output, "{\"type\":\"rpc\",\"id\":");
        Write(output, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Write(output, ",\"method\":\"");
        Write(output, method);
        Write(output, "\"}");
    }

    public override IncomingKind Classify(ReadOnlySpan<byte> message)
    {
        if (message.StartsWith("{\"type\":\"message\""u8))
        {
            return IncomingKind.Publication;
        }

        if (message.StartsWith("{\"type\":\"result\""u8))
        {
            return IncomingKind.Reply;
        }

        return message.StartsWith("{\"type\":\"ping\""u8) ? IncomingKind.Ping : IncomingKind.Other;
    }

    internal static void Write(IBufferWriter<byte> output, string ascii)
    {
        var span = output.GetSpan(ascii.Length * 3);
        var written = Encoding.UTF8.GetBytes(ascii, span);
        output.Advance(written);
    }
}

/// <summary>
/// ASP.NET Core SignalR's JSON hub protocol (records ended by 0x1E) over a plain WebSocket, skipping negotiation as
/// the SignalR client's <c>SkipNegotiation</c> does. Talks to bench/SignalRReference's <c>BenchHub</c>.
/// </summary>
internal sealed class SignalRTarget : BenchTarget
{
    private const byte RecordSeparator = 0x1e;
    private static readonly byte[] Handshake = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();
    private static readonly byte[] Ping = "{\"type\":6}\u001e"u8.ToArray();

    public override BenchTargetKind Kind => BenchTargetKind.SignalR;

    public override Uri DefaultUrl { get; } = new("ws://127.0.0.1:5100/hub");

    public override byte Separator => RecordSeparator;

    public override ReadOnlyMemory<byte> PingReply => Ping;

    public override async Task HandshakeAsync(BenchClient client, CancellationToken cancellationToken)
    {
        // The handshake answer is "{}" (or an error), a reply like any other.
        var reply = await client.RequestAsync(Handshake, RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (reply.AsSpan().IndexOf("error"u8) >= 0)
        {
            throw new InvalidOperationException($"SignalR handshake failed: {Encoding.UTF8.GetString(reply)}");
        }
    }

    public override async Task<SubscribeOutcome> SubscribeAsync(BenchClient client, string channel, (long Offset, string Epoch)? since, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        SwitchboardTarget.Write(buffer, "{\"type\":1,\"invocationId\":\"1\",\"target\":\"Subscribe\",\"arguments\":[\"");
        SwitchboardTarget.Write(buffer, channel);
        SwitchboardTarget.Write(buffer, "\"]}\u001e");
        var reply = await client.RequestAsync(buffer.WrittenMemory, RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (reply.AsSpan().IndexOf("\"error\""u8) >= 0)
        {
            throw new InvalidOperationException($"subscribe failed: {Encoding.UTF8.GetString(reply)}");
        }

        return new SubscribeOutcome(0, null, false, []);
    }

    public override void WritePublish(IBufferWriter<byte> output, string channel, long sequence, long timestamp, int payloadBytes)
    {
        // No invocationId: a fire-and-forget invocation, as Switchboard's publish without an id.
        SwitchboardTarget.Write(output, "{\"type\":1,\"target\":\"Publish\",\"arguments\":[\"");
        SwitchboardTarget.Write(output, channel);
        SwitchboardTarget.Write(output, "\",");
        PayloadCodec.Write(output, sequence, timestamp, payloadBytes);
        SwitchboardTarget.Write(output, "]}\u001e");
    }

    public override void WriteRpc(IBufferWriter<byte> output, long id, string method)
    {
        SwitchboardTarget.Write(output, "{\"type\":1,\"invocationId\":\"");
        SwitchboardTarget.Write(output, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SwitchboardTarget.Write(output, "\",\"target\":\"Time\",\"arguments\":[]}\u001e");
    }

    public override IncomingKind Classify(ReadOnlySpan<byte> message)
    {
        if (message.StartsWith("{\"type\":1,"u8))
        {
            return IncomingKind.Publication;
        }

        if (message.StartsWith("{\"type\":3,"u8) || message.SequenceEqual("{}"u8) || message.StartsWith("{\"error\""u8))
        {
            return IncomingKind.Reply;
        }

        return message.StartsWith("{\"type\":6"u8) ? IncomingKind.Ping : IncomingKind.Other;
    }
}

/// <summary>
/// bench/RawReference and bench/NodeReference: no protocol. <c>/ws</c> connections receive every message that a
/// <c>?role=pub</c> connection sends; a <c>?role=echo</c> connection gets each message back.
/// </summary>
internal sealed class RawTarget(BenchTargetKind kind, Uri defaultUrl) : BenchTarget
{
    public override BenchTargetKind Kind => kind;

    public override Uri DefaultUrl => defaultUrl;

    public override byte Separator => 0;

    public override ReadOnlyMemory<byte> PingReply => ReadOnlyMemory<byte>.Empty;

    public override Uri PublisherUri(Uri url) => WithQuery(url, "role=pub");

    public override Uri RpcUri(Uri url) => WithQuery(url, "role=echo");

    public override Task<SubscribeOutcome> SubscribeAsync(BenchClient client, string channel, (long Offset, string Epoch)? since, CancellationToken cancellationToken) =>
        Task.FromResult(new SubscribeOutcome(0, null, false, [])); // Connected is subscribed: one implicit channel.

    public override void WritePublish(IBufferWriter<byte> output, string channel, long sequence, long timestamp, int payloadBytes) =>
        PayloadCodec.Write(output, sequence, timestamp, payloadBytes);

    public override void WriteRpc(IBufferWriter<byte> output, long id, string method)
    {
        SwitchboardTarget.Write(output, "{\"id\":");
        SwitchboardTarget.Write(output, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SwitchboardTarget.Write(output, "}");
    }

    public override IncomingKind Classify(ReadOnlySpan<byte> message) =>
        message.StartsWith("{\"id\":"u8) ? IncomingKind.Reply : IncomingKind.Publication;
}
