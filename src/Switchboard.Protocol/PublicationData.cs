using System.Text.Json;
using System.Text.Unicode;

namespace Switchboard.Protocol;

/// <summary>
/// The wire rule for a publication's <c>data</c>, whatever its source (a client's <c>publish</c>, the HTTP API, NATS,
/// application code): exactly one JSON value in valid UTF-8, no larger than a subscriber can receive. Data is written
/// to subscribers as is, so one invalid byte would reach every subscriber as an invalid text frame (their clients drop
/// the connection with 1007), and from history again on every later read: it is refused before anything is stored.
/// </summary>
/// <remarks>Thread safety: stateless, safe to call from many threads.</remarks>
public static class PublicationData
{
    // Several values allowed only so that a second one is reported as such instead of as invalid JSON.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Disallow, AllowMultipleValues = true };

    /// <summary>
    /// Checks <paramref name="data"/>: <see cref="ErrorCodes.TooLarge"/> over <paramref name="maxLength"/> bytes,
    /// <see cref="ErrorCodes.BadRequest"/> when it is not valid UTF-8 or not exactly one JSON value. Returns
    /// <see langword="null"/> when it may be published.
    /// </summary>
    public static ProtocolError? Validate(ReadOnlySpan<byte> data, int maxLength) =>
        ValidateLength(data.Length, maxLength) ?? ValidateJson(data);

    /// <summary>The size part of <see cref="Validate"/>, for data whose JSON the caller has already checked (a parsed command).</summary>
    public static ProtocolError? ValidateLength(int length, int maxLength) =>
        length > maxLength
            ? new ProtocolError(ErrorCodes.TooLarge, $"data is {length} bytes, more than the {maxLength} a subscriber can receive")
            : null;

    /// <summary>Whether <paramref name="data"/> is exactly one JSON value in valid UTF-8 (size not considered).</summary>
    public static bool IsOneJsonValue(ReadOnlySpan<byte> data) => ValidateJson(data) is null;

    private static ProtocolError? ValidateJson(ReadOnlySpan<byte> data)
    {
        // Utf8JsonReader checks structure but not the bytes inside strings it is not asked to decode; Utf8.IsValid
        // (vectorised) checks every byte once.
        if (!Utf8.IsValid(data))
        {
            return ProtocolError.BadRequest("data is not valid UTF-8");
        }

        try
        {
            var reader = new Utf8JsonReader(data, ReaderOptions);
            if (!reader.Read())
            {
                return ProtocolError.BadRequest("data must be a JSON value");
            }

            reader.Skip();
            return reader.Read() ? ProtocolError.BadRequest("data must be one JSON value") : null;
        }
        catch (JsonException)
        {
            return ProtocolError.BadRequest("data is not valid JSON");
        }
    }
}
