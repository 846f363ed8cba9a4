using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;
using Switchboard.Protocol;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>
/// Makes the proxy calls: a <c>POST</c> of a <see cref="ProxyRequest"/> through the <see cref="IHttpClientFactory"/>
/// client <see cref="HttpClientName"/> (whose resilience pipeline bounds concurrency, breaks the circuit and times out
/// each attempt, and never retries), read into at most <see cref="SwitchboardProxyOptions.MaxResponseSize"/> bytes.
/// Every failure becomes <see cref="ProxyOutcome.Failed"/>: fail closed, never an allow, never an exception.
/// </summary>
/// <remarks>Thread safety: called by every connection at once.</remarks>
internal sealed partial class ProxyClient
{
    public const string HttpClientName = "Switchboard.Proxy";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly IHttpClientFactory _clients;
    private readonly SwitchboardProxyOptions _options;
    private readonly ProxyMetrics _metrics;
    private readonly ILogger<ProxyClient> _logger;

    public ProxyClient(IHttpClientFactory clients, IOptions<SwitchboardProxyOptions> options, ProxyMetrics metrics, ILogger<ProxyClient> logger)
    {
        _clients = clients;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
    }

    public SwitchboardProxyOptions Options => _options;

    /// <summary>Calls <paramref name="url"/> for <paramref name="kind"/> with the connection's forwarded headers.</summary>
    public async Task<ProxyOutcome> CallAsync(ProxyKind kind, string url, ProxyRequest request, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var span = SwitchboardActivities.StartProxyCall(ProxyMetrics.Name(kind), request.Channel ?? request.Method);
        ProxyOutcome outcome;
        try
        {
            outcome = await SendAsync(url, request, headers, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = ProxyOutcome.Failed("cancelled"); // The connection is closing.
        }
        catch (OperationCanceledException)
        {
            outcome = ProxyOutcome.Failed("timeout"); // The whole call's budget (queueing, body) ran out.
        }
        catch (TimeoutRejectedException)
        {
            outcome = ProxyOutcome.Failed("timeout");
        }
        catch (BrokenCircuitException)
        {
            outcome = ProxyOutcome.Failed("circuit_open");
        }
        catch (RateLimiterRejectedException)
        {
            outcome = ProxyOutcome.Failed("overloaded");
        }
        catch (HttpRequestException ex)
        {
            Log.CallFailed(_logger, ProxyMetrics.Name(kind), ex.Message);
            outcome = ProxyOutcome.Failed(ex.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded ? "too_large" : "unreachable");
        }

        if (outcome.FailureReason is { } reason)
        {
            SwitchboardActivities.Fail(span, reason);
            Log.CallRefused(_logger, ProxyMetrics.Name(kind), reason);
        }

        _metrics.Completed(kind, outcome, started);
        return outcome;
    }

    private async Task<ProxyOutcome> SendAsync(string url, ProxyRequest request, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        // One budget for the whole call, the wait for a concurrency slot and the body included; the pipeline's own
        // timeout (the same length) is what the circuit breaker sees.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.Timeout);
        var body = new ArrayBufferWriter<byte>(256);
        request.WriteTo(body);
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body.WrittenMemory) };
        message.Content.Headers.ContentType = Json;
        foreach (var (name, value) in headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        var client = _clients.CreateClient(HttpClientName);
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, budget.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return ProxyOutcome.Failed("http_status");
        }

        if (response.Content.Headers.ContentLength > _options.MaxResponseSize)
        {
            return ProxyOutcome.Failed("too_large"); // Refused unread.
        }

        await response.Content.LoadIntoBufferAsync(_options.MaxResponseSize, budget.Token).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(budget.Token).ConfigureAwait(false);
        return Interpret(bytes);
    }

    /// <summary>The backend's answer as an outcome; anything but one documented shape is a failure.</summary>
    private static ProxyOutcome Interpret(byte[] bytes)
    {
        ProxyResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(bytes, ProxyJsonContext.Default.ProxyResponse);
        }
        catch (JsonException)
        {
            return ProxyOutcome.Failed("invalid_response");
        }

        switch (response)
        {
            case { Result: { ValueKind: JsonValueKind.Object } result, Error: null, Disconnect: null }:
                return new ProxyOutcome { Result = result };
            case { Result: null, Error: { Code: { Length: > 0 } code } error, Disconnect: null }:
                // A code the protocol does not know is still a refusal: forbidden (docs/proxy.md).
                var known = ErrorCodes.All.Contains(code) ? code : ErrorCodes.Forbidden;
                return new ProxyOutcome { Error = new ProtocolError(known, error.Message ?? "refused by the application") };
            case { Result: null, Error: null, Disconnect: { Code: >= 3000 and <= 4999 } disconnect }:
                return new ProxyOutcome { DisconnectCode = disconnect.Code, DisconnectReason = Truncate(disconnect.Reason ?? string.Empty) };
            default:
                return ProxyOutcome.Failed("invalid_response");
        }
    }

    /// <summary>A close reason fits in 123 bytes of UTF-8; cut a longer one rather than fail the close.</summary>
    private static string Truncate(string reason)
    {
        while (System.Text.Encoding.UTF8.GetByteCount(reason) > 123)
        {
            reason = reason[..^1];
        }

        return reason;
    }

    private static partial class Log
    {
        [LoggerMessage(750, LogLevel.Debug, "Proxy {Kind} call failed: {Reason}.")]
        public static partial void CallFailed(ILogger logger, string kind, string reason);

        [LoggerMessage(751, LogLevel.Warning, "Proxy {Kind} call refused the command with unavailable: {Reason}.")]
        public static partial void CallRefused(ILogger logger, string kind, string reason);
    }
}
