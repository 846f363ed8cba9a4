using System.Text.Json.Serialization;

namespace Switchboard.Samples;

/// <summary>An HTTP error body: RFC 9457 problem details, whose <c>detail</c> says what was wrong (FastAPI clients read <c>detail</c> too).</summary>
internal sealed record Problem(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail)
{
    /// <summary>The response for a refused request.</summary>
    public static IResult Result(string title, string detail, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new Problem(title, status, detail), ProblemJsonContext.Default.Problem, statusCode: status);
}

/// <summary>Source-generated JSON for <see cref="Problem"/>.</summary>
[JsonSerializable(typeof(Problem))]
internal sealed partial class ProblemJsonContext : JsonSerializerContext;
