using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Protocol;
using Switchboard.Brokers;
using Switchboard.Server.Internal;

namespace Switchboard.Server.HttpApi;

/// <summary>
/// The HTTP API for backends: each endpoint takes a JSON object by POST, checks the API key, calls
/// <see cref="ISwitchboard"/> and answers JSON. Errors are <c>{"error":{"code","message"}}</c> with the protocol's codes.
/// </summary>
/// <remarks>Thread safety: stateless; one instance serves every request.</remarks>
internal sealed class SwitchboardHttpApi
{
    private readonly ISwitchboard _switchboard;
    private readonly SwitchboardHttpApiOptions _options;
    private readonly ILogger<SwitchboardHttpApi> _logger;
    private readonly byte[] _keyHash;
    private readonly NodeTraffic _traffic;

    public SwitchboardHttpApi(ISwitchboard switchboard, NodeTraffic traffic, IOptions<SwitchboardHttpApiOptions> options, ILogger<SwitchboardHttpApi> logger)
    {
        _switchboard = switchboard;
        _traffic = traffic;
        _options = options.Value;
        _logger = logger;
        if (string.IsNullOrEmpty(_options.Key))
        {
            throw new InvalidOperationException($"{SwitchboardHttpApiOptions.SectionName}:Key must be set to map the Switchboard HTTP API.");
        }

        _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(_options.Key));
    }

    public Task PublishAsync(HttpContext context) => HandleAsync(context, async (request, w, ct) =>
    {
        var channel = RequireChannel(request);
        var data = RequireData(request);
        var result = await _switchboard.PublishAsync(channel, data, OptionalKey(request), ct).ConfigureAwait(false);
        MessageWriter.WritePosition(w, result.Position);
    });

    public Task BroadcastAsync(HttpContext context) => HandleAsync(context, async (request, w, ct) =>
    {
        if (!request.TryGetProperty("channels", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw BadRequest("'channels' must be a non-empty array of channel names");
        }

        // Every channel is checked before anything is published: a bad request publishes nothing.
        var channels = new List<string>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            channels.Add(ValidChannel(item.ValueKind == JsonValueKind.String ? item.GetString()! : null));
        }

        var data = RequireData(request);
        var key = OptionalKey(request);
        w.WriteStartArray("results");
        foreach (var channel in channels)
        {
            var result = await _switchboard.PublishAsync(channel, data, key, ct).ConfigureAwait(false);
            w.WriteStartObject();
            w.WriteString("channel", channel);
            MessageWriter.WritePosition(w, result.Position);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public Task SendAsync(HttpContext context) => HandleAsync(context, (request, w, _) =>
    {
        var user = RequireString(request, "user");
        var sent = _switchboard.SendToUser(user, RequireChannel(request), RequireData(request));
        w.WriteNumber("sent", sent);
        return Task.CompletedTask;
    });

    public Task DisconnectAsync(HttpContext context) => HandleAsync(context, (request, w, _) =>
    {
        var user = OptionalString(request, "user");
        var client = OptionalString(request, "client");
        if ((user is null) == (client is null))
        {
            throw BadRequest("give exactly one of 'user' and 'client'");
        }

        var reason = OptionalString(request, "reason");
        var count = user is not null ? _switchboard.DisconnectUser(user, reason) : _switchboard.DisconnectConnection(client!, reason) ? 1 : 0;
        w.WriteNumber("disconnected", count);
        return Task.CompletedTask;
    });

    public Task PresenceAsync(HttpContext context) => HandleAsync(context, async (request, w, ct) =>
    {
        var clients = await _switchboard.GetPresenceAsync(RequireChannel(request), ct).ConfigureAwait(false);
        PresenceWriter.WriteClients(w, clients);
    });

    public Task HistoryAsync(HttpContext context) => HandleAsync(context, async (request, w, ct) =>
    {
        var channel = RequireChannel(request);
        int? limit = null;
        if (request.TryGetProperty("limit", out var l))
        {
            limit = l.ValueKind == JsonValueKind.Number && l.TryGetInt32(out var n) && n > 0 ? n : throw BadRequest("'limit' must be a positive integer");
        }

        StreamPosition? since = null;
        if (request.TryGetProperty("since", out var s))
        {
            since = s.ValueKind == JsonValueKind.Object
                && s.TryGetProperty("offset", out var o) && o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out var offset) && offset >= 0
                && s.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.String
                ? new StreamPosition(offset, e.GetString()!)
                : throw BadRequest("'since' must be {\"offset\": N, \"epoch\": \"E\"}");
        }

        var history = await _switchboard.GetHistoryAsync(channel, new HistoryQuery(since, limit), ct).ConfigureAwait(false);
        ReplyWriter.WriteHistory(w, Internal.HistoryPage.Of(history));
    });

    public Task ChannelsAsync(HttpContext context) => HandleAsync(context, (request, w, _) =>
    {
        ChannelPattern? filter = null;
        if (OptionalString(request, "pattern") is { } pattern && !ChannelPattern.TryParse(pattern, out filter, out var error))
        {
            throw BadRequest(error!);
        }

        w.WriteStartArray("channels");
        foreach (var channel in _switchboard.GetChannels())
        {
            if (filter is null || filter.Matches(channel.Channel))
            {
                w.WriteStartObject();
                w.WriteString("channel", channel.Channel);
                w.WriteNumber("subscribers", channel.Subscribers);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        return Task.CompletedTask;
    });

    public Task InfoAsync(HttpContext context) => HandleAsync(context, async (_, w, ct) =>
    {
        var cluster = await _switchboard.GetClusterStatsAsync(ct).ConfigureAwait(false);
        StatsWriter.WriteNode(w, cluster.Nodes[0]);
        TrafficWriter.Write(w, _traffic);
        StatsWriter.WriteCluster(w, cluster);
    });

    private async Task HandleAsync(HttpContext context, Func<JsonElement, Utf8JsonWriter, CancellationToken, Task> handle)
    {
        var response = new ArrayBufferWriter<byte>(256);
        int status;
        try
        {
            if (!HasValidKey(context.Request))
            {
                DeliveryLog.ApiKeyRejected(_logger, context.Request.Path);
                throw new HttpApiException(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "a valid API key is required");
            }

            using var body = await ReadBodyAsync(context).ConfigureAwait(false);
            using (var w = new Utf8JsonWriter(response))
            {
                w.WriteStartObject();
                await handle(body.RootElement, w, context.RequestAborted).ConfigureAwait(false);
                w.WriteEndObject();
            }

            status = StatusCodes.Status200OK;
        }
        catch (HttpApiException ex)
        {
            (status, response) = (ex.Status, Error(ex.Code, ex.Message));
        }
        catch (PublicationTooLargeException ex)
        {
            (status, response) = (StatusCodes.Status413PayloadTooLarge, Error(ErrorCodes.TooLarge, FirstSentence(ex.Message)));
        }
        catch (ArgumentException ex)
        {
            // ISwitchboard's own checks (channel names, data); their messages name the field, not internals.
            (status, response) = (StatusCodes.Status400BadRequest, Error(ErrorCodes.BadRequest, FirstSentence(ex.Message)));
        }
        catch (BrokerUnavailableException ex)
        {
            DeliveryLog.ApiBrokerUnavailable(_logger, context.Request.Path, ex);
            (status, response) = (StatusCodes.Status503ServiceUnavailable, Error(ErrorCodes.Unavailable, "the broker is not available, try again"));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // The caller went away.
        }
        catch (Exception ex)
        {
            DeliveryLog.ApiFailed(_logger, context.Request.Path, ex);
            (status, response) = (StatusCodes.Status500InternalServerError, Error(ErrorCodes.Internal, "internal error"));
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(response.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private bool HasValidKey(HttpRequest request)
    {
        string? given = null;
        if (request.Headers.Authorization.ToString() is { Length: > 7 } authorization && authorization.StartsWith("apikey ", StringComparison.OrdinalIgnoreCase))
        {
            given = authorization[7..].Trim();
        }
        else if (request.Headers.TryGetValue("X-API-Key", out var header))
        {
            given = header.ToString();
        }

        // Hashes compared in constant time: neither the key's content nor its length leaks through timing.
        return !string.IsNullOrEmpty(given) && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), _keyHash);
    }

    private async Task<JsonDocument> ReadBodyAsync(HttpContext context)
    {
        var max = _options.MaxBodySize;
        if (context.Request.ContentLength > max)
        {
            throw new HttpApiException(StatusCodes.Status413PayloadTooLarge, ErrorCodes.TooLarge, $"the body is larger than {max} bytes");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(max + 1, 16 * 1024));
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > max)
                    {
                        throw new HttpApiException(StatusCodes.Status413PayloadTooLarge, ErrorCodes.TooLarge, $"the body is larger than {max} bytes");
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > max)
                {
                    throw new HttpApiException(StatusCodes.Status413PayloadTooLarge, ErrorCodes.TooLarge, $"the body is larger than {max} bytes");
                }
            }

            if (length == 0)
            {
                return JsonDocument.Parse("{}"u8.ToArray()); // Endpoints without fields may be called with no body.
            }

            if (!Utf8.IsValid(buffer.AsSpan(0, length)))
            {
                // Checked before parsing: JsonDocument does not look inside strings until they are read, so this
                // used to surface later as a 500.
                throw BadRequest("the body is not valid UTF-8");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(buffer.AsMemory(0, length).ToArray());
            }
            catch (JsonException)
            {
                throw BadRequest("the body is not valid JSON");
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw BadRequest("the body must be a JSON object");
            }

            return document;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string RequireChannel(JsonElement request) => ValidChannel(OptionalString(request, "channel"));

    private static string ValidChannel(string? channel)
    {
        if (channel is null)
        {
            throw BadRequest("'channel' must be a string");
        }

        return ChannelName.Validate(channel, allowWildcards: false) is { } error ? throw BadRequest(error) : channel;
    }

    private static byte[] RequireData(JsonElement request) =>
        request.TryGetProperty("data", out var data) ? JsonMarshal.GetRawUtf8Value(data).ToArray() : throw BadRequest("'data' is required");

    private static string? OptionalKey(JsonElement request)
    {
        if (!request.TryGetProperty("key", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var key = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw BadRequest("'key' must be a string");
        return PublishKey.Validate(key) is { } error ? throw BadRequest($"'key': {error}") : key;
    }

    private static string RequireString(JsonElement request, string name) =>
        OptionalString(request, name) ?? throw BadRequest($"'{name}' must be a non-empty string");

    private static string? OptionalString(JsonElement request, string name)
    {
        if (!request.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : throw BadRequest($"'{name}' must be a non-empty string");
    }

    private static HttpApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, message);

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static ArrayBufferWriter<byte> Error(string code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using var w = new Utf8JsonWriter(buffer);
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        return buffer;
    }
}
