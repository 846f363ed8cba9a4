using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace Switchboard.Samples;

/// <summary>
/// Reads a sample endpoint's JSON body with the checks every endpoint that broadcasts needs: <c>application/json</c>
/// only (415 otherwise, so a page on another origin cannot post a "simple" <c>text/plain</c> request), at most
/// <c>maxBytes</c> (413; the server's <c>SwitchboardOptions.MaxPublicationSize</c>, past which no subscriber could receive
/// the broadcast), valid UTF-8 (400) and JSON (400). Never throws for what the client sent.
/// </summary>
internal static class JsonRequestBody
{
    /// <summary>
    /// The parsed body, or the response that refuses it (the other is <see langword="null"/>). A body that is not
    /// JSON is refused as the endpoint refuses any other bad body: 400 with <paramref name="invalidTitle"/> and
    /// <paramref name="invalidDetail"/>.
    /// </summary>
    public static async Task<(JsonDocument? Body, IResult? Refusal)> ReadAsync(HttpRequest request, int maxBytes, string invalidTitle, string invalidDetail)
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problem.Result("Unsupported media type", "send the body as JSON with Content-Type: application/json", StatusCodes.Status415UnsupportedMediaType));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        var body = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, maxBytes + 1L));
        while (true)
        {
            var read = await request.Body.ReadAsync(body.GetMemory(4096), request.HttpContext.RequestAborted);
            if (read == 0)
            {
                break;
            }

            body.Advance(read);
            if (body.WrittenCount > maxBytes)
            {
                return (null, TooLarge(maxBytes)); // stops reading: the rest is never buffered
            }
        }

        if (!Utf8.IsValid(body.WrittenSpan))
        {
            return (null, Problem.Result(invalidTitle, "the body is not valid UTF-8"));
        }

        try
        {
            return (JsonDocument.Parse(body.WrittenMemory), null);
        }
        catch (JsonException)
        {
            return (null, Problem.Result(invalidTitle, invalidDetail));
        }
    }

    /// <summary>As <see cref="ReadAsync(HttpRequest, int, string, string)"/>, deserialized as <typeparamref name="T"/> (JSON of another shape is refused the same way).</summary>
    public static async Task<(T? Value, IResult? Refusal)> ReadAsync<T>(HttpRequest request, int maxBytes, JsonTypeInfo<T> type, string invalidTitle, string invalidDetail)
    {
        var (body, refusal) = await ReadAsync(request, maxBytes, invalidTitle, invalidDetail);
        if (body is null)
        {
            return (default, refusal);
        }

        using (body)
        {
            try
            {
                return (body.RootElement.Deserialize(type), null);
            }
            catch (JsonException)
            {
                return (default, Problem.Result(invalidTitle, invalidDetail));
            }
        }
    }

    /// <summary>413 for a body or a broadcast larger than subscribers can receive.</summary>
    public static IResult TooLarge(int maxBytes) =>
        Problem.Result("Payload too large", $"the body may have at most {maxBytes} bytes: subscribers cannot receive a larger message", StatusCodes.Status413PayloadTooLarge);
}
