using System.Text.Json;
using Switchboard.Protocol;
using Switchboard.Server.Security;

namespace Switchboard.Server.Rpc;

/// <summary>
/// Handles one rpc call. Returns the result as a JSON value (e.g. from <see cref="JsonSerializer.SerializeToElement{T}(T, JsonSerializerOptions?)"/>
/// or a source-generated <c>JsonTypeInfo</c>). Throw <see cref="RpcException"/> to answer with a documented error code.
/// <paramref name="cancellationToken"/> is cancelled when nobody can use the answer any more: the calling client
/// disconnected, its connection started closing, or the node's drain reached it. Pass it to what the handler awaits;
/// a handler that ends with <see cref="OperationCanceledException"/> after it was cancelled gets the client an
/// <c>unavailable</c> error (when it is still there to read it), and the drain does not wait for it.
/// </summary>
public delegate ValueTask<JsonElement> RpcHandler(RpcRequest request, CancellationToken cancellationToken);

/// <summary>One rpc call as the handler sees it.</summary>
/// <param name="Method">The method name.</param>
/// <param name="Params">The <c>params</c> sent, or a JSON <c>undefined</c> element when none were sent.</param>
/// <param name="ClientId">The calling connection's id.</param>
/// <param name="Identity">Who is calling.</param>
public sealed record RpcRequest(string Method, JsonElement Params, string ClientId, ConnectionIdentity Identity);

/// <summary>Thrown by an rpc handler to fail the call with one of <see cref="ErrorCodes"/> and a message the client sees.</summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">One of <see cref="ErrorCodes"/>.</param>
    /// <param name="message">A short message for the client. Never put secrets here.</param>
    public RpcException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>One of <see cref="ErrorCodes"/>.</summary>
    public string Code { get; }
}
