using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Security;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Handlers;

/// <summary>What <see cref="SwitchboardHandler.AuthenticateAsync"/> gets: the client's first message and its upgrade request.</summary>
/// <remarks>Valid only during the call.</remarks>
public sealed class HandlerAuthContext
{
    private readonly TokenValidator? _tokens;

    internal HandlerAuthContext(HandlerMessage message, HttpContext context, TokenValidator? tokens)
    {
        Message = message;
        RouteValues = Internal.HandlerRouteValues.From(context);
        Query = context.Request.Query;
        User = context.User;
        _tokens = tokens;
    }

    /// <summary>The client's first message. When it is not valid JSON, <see cref="HandlerMessage.Type"/> is <see langword="null"/> and reading its JSON throws.</summary>
    public HandlerMessage Message { get; }

    /// <summary>Whether <see cref="Message"/> is a JSON object.</summary>
    public bool IsJson { get; internal init; }

    /// <summary>The values of the route template's parameters.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; }

    /// <summary>The query string of the upgrade request.</summary>
    public IQueryCollection Query { get; }

    /// <summary>The user the application's authentication signed in on the upgrade request (<c>HttpContext.User</c>), possibly anonymous.</summary>
    public System.Security.Claims.ClaimsPrincipal User { get; }

    /// <summary>
    /// Validates a JWT with the server's keys (<c>Switchboard:Auth</c>), exactly as a token in the upgrade request is:
    /// accepted with its user, roles and expiry, or rejected with what was wrong.
    /// </summary>
    public async ValueTask<HandlerAuthResult> ValidateTokenAsync(string? token)
    {
        if (_tokens is null)
        {
            return HandlerAuthResult.Reject("this server has no token keys");
        }

        var check = await _tokens.ValidateAsync(token).ConfigureAwait(false);
        return check.IsValid ? HandlerAuthResult.Accept(check.Identity!) : HandlerAuthResult.Reject(check.Error!);
    }
}

/// <summary>The outcome of a first-message authentication.</summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed record HandlerAuthResult
{
    private HandlerAuthResult(ConnectionIdentity? identity, string? reason)
    {
        Identity = identity;
        Reason = reason;
    }

    /// <summary>Who connected, or <see langword="null"/> when refused.</summary>
    public ConnectionIdentity? Identity { get; }

    /// <summary>Why it was refused: the reason of the 1008 close.</summary>
    public string? Reason { get; }

    /// <summary>Whether the client is let in.</summary>
    public bool IsAccepted => Identity is not null;

    /// <summary>A message (UTF-8 JSON) sent before the connection starts or, when refused, before the close; empty for none.</summary>
    public ReadOnlyMemory<byte> Reply { get; init; }

    /// <summary>Lets the client in as <paramref name="identity"/>.</summary>
    public static HandlerAuthResult Accept(ConnectionIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new HandlerAuthResult(identity, null);
    }

    /// <summary>Refuses the client: it is closed with 1008 and <paramref name="reason"/>.</summary>
    public static HandlerAuthResult Reject(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new HandlerAuthResult(null, reason);
    }

    /// <summary>The same result, with <paramref name="reply"/> sent first (e.g. <c>auth_ok</c> or <c>auth_invalid</c>).</summary>
    public HandlerAuthResult WithReply<T>(T reply, JsonTypeInfo<T> typeInfo) => this with { Reply = JsonSerializer.SerializeToUtf8Bytes(reply, typeInfo) };
}
