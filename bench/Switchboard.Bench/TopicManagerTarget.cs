using System.Buffers;
using System.Net.Http.Headers;

namespace Switchboard.Bench;

/// <summary>
/// samples/TopicManager (seed 003 on the handler API) with plain clients, as the seed's own clients speak it:
/// subscribers connect to <c>/ws/{client_id}</c> and send <c>{"type":"subscribe","topic":...}</c>, which has no reply,
/// then a <c>ping</c> whose <c>pong</c> says the subscribe before it was handled; publications go through
/// <c>POST /api/publish</c> <c>{"topic":...,"message":PAYLOAD}</c> and arrive as the bare payload. <c>rpc</c> is the
/// ping/pong round trip.
/// </summary>
/// <remarks>
/// Thread safety: one publisher calls <see cref="PublishAsync"/>; the POSTs it starts run concurrently (up to <c>--http-publishers</c>),
/// over pooled connections, so the server may take publications a little out of order (the report's out-of-order
/// column counts it; loss and duplicates are exact). A POST that waits for a free slot shows as latency, since each
/// payload carries its scheduled send time.
/// </remarks>
internal sealed class TopicManagerTarget(int inFlight) : BenchTarget
{
    private static readonly byte[] Ping = """{"type":"ping"}"""u8.ToArray();
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    private readonly SemaphoreSlim _inFlight = new(inFlight, inFlight);
    private Uri? _publishUri;
    private string? _failure;

    public override BenchTargetKind Kind => BenchTargetKind.TopicManager;

    public override Uri DefaultUrl { get; } = new("ws://127.0.0.1:8000/ws/bench");

    public override byte Separator => 0;

    public override ReadOnlyMemory<byte> PingReply => ReadOnlyMemory<byte>.Empty;

    public override async Task<SubscribeOutcome> SubscribeAsync(BenchClient client, string channel, (long Offset, string Epoch)? since, CancellationToken cancellationToken)
    {
        var subscribe = new ArrayBufferWriter<byte>(64);
        SwitchboardTarget.Write(subscribe, "{\"type\":\"subscribe\",\"topic\":\"");
        SwitchboardTarget.Write(subscribe, channel);
        SwitchboardTarget.Write(subscribe, "\"}");
        await client.SendAsync(subscribe.WrittenMemory, cancellationToken).ConfigureAwait(false);

        // A connection's messages are handled in order, so the pong means the topic is joined.
        await client.RequestAsync(Ping, RequestTimeout, cancellationToken).ConfigureAwait(false);
        return new SubscribeOutcome(0, null, false, []);
    }

    public override void WritePublish(IBufferWriter<byte> output, string channel, long sequence, long timestamp, int payloadBytes)
    {
        SwitchboardTarget.Write(output, "{\"topic\":\"");
        SwitchboardTarget.Write(output, channel);
        SwitchboardTarget.Write(output, "\",\"message\":");
        PayloadCodec.Write(output, sequence, timestamp, payloadBytes);
        SwitchboardTarget.Write(output, "}");
    }

    public override async ValueTask PublishAsync(BenchClient publisher, Uri url, ReadOnlyMemory<byte> publication, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new BenchException(failure);
        }

        // Up to --http-publishers POSTs at once: awaiting each answer before the next publication made the load generator's
        // own scheduling (its core busy reading every subscriber's frames) the limit, at about 40 POSTs/s.
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        _ = PostAsync(_publishUri ??= PublishUri(url), publication.ToArray(), cancellationToken);
    }

    private async Task PostAsync(Uri uri, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = Json;
            using var response = await Http.PostAsync(uri, content, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Volatile.Write(ref _failure, $"POST /api/publish answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            Volatile.Write(ref _failure, $"POST /api/publish failed: {ex.Message}");
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public override void WriteRpc(IBufferWriter<byte> output, long id, string method) => output.Write(Ping);

    public override IncomingKind Classify(ReadOnlySpan<byte> message) =>
        message.StartsWith("{\"type\":\"pong\""u8) ? IncomingKind.Reply : message.StartsWith("{\"s\":"u8) ? IncomingKind.Publication : IncomingKind.Other;

    /// <summary><c>ws://host:port/ws/...</c> → <c>http://host:port/api/publish</c>.</summary>
    private static Uri PublishUri(Uri url) =>
        new UriBuilder(url) { Scheme = url.Scheme == "wss" ? "https" : "http", Path = "/api/publish", Query = string.Empty }.Uri;
}
