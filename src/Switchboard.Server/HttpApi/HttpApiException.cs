namespace Switchboard.Server.HttpApi;

/// <summary>A request the HTTP API refuses, with its status and protocol error code.</summary>
internal sealed class HttpApiException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}
