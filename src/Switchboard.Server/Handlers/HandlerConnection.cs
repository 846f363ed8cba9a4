using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Switchboard.Protocol;
using Switchboard.Server.Handlers.Internal;
using Switchboard.Server.Internal;
using Switchboard.Server.Security;

namespace Switchboard.Server.Handlers;

/// <summary>
/// One client connection of a <see cref="SwitchboardHandler"/>: who it is, the route values and query of its upgrade
/// request, its groups, and sending to it. Sends are queued on the connection's one bounded writer and never wait for
/// the socket; a client that does not read closes with 4003 when its queue overflows.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Send(ReadOnlyMemory{byte})"/> and its overloads and <see cref="Close"/> may be called from
/// any thread. <see cref="JoinGroupAsync"/>, <see cref="LeaveGroupAsync"/> and <see cref="Items"/> belong to the
/// connection's own callbacks (which run one at a time).
/// </remarks>
public sealed class HandlerConnection
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly SwitchboardConnection _connection;
    private readonly HandlerProtocol _protocol;
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);

    internal HandlerConnection(SwitchboardConnection connection, HandlerProtocol protocol, HttpContext context)
    {
        _connection = connection;
        _protocol = protocol;
        RouteValues = HandlerRouteValues.From(context);
        Query = context.Request.Query;
    }

    /// <summary>The connection id, unique across nodes.</summary>
    public string Id => _connection.Id;

    /// <summary>Who is connected: the token's user and roles, or <see cref="ConnectionIdentity.Anonymous"/>.</summary>
    public ConnectionIdentity User => _connection.Identity;

    /// <summary>The user id, or <see langword="null"/> when anonymous.</summary>
    public string? UserId => _connection.Identity.UserId;

    /// <summary>The values of the route template's parameters, e.g. <c>room_id</c> of <c>/chat/{room_id}</c>.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; }

    /// <summary>The query string of the upgrade request.</summary>
    public IQueryCollection Query { get; }

    /// <summary>State the application keeps for this connection.</summary>
    public IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>The groups this connection is in.</summary>
    public IReadOnlyCollection<string> Groups => _groups;

    /// <summary>Cancelled when the connection ends, starts closing, or the node's drain reaches it: pass it to work
    /// whose result would only go to this connection.</summary>
    public CancellationToken Aborted => _connection.CommandsCancelled;

    /// <summary>The property that names a message's type in this handler's protocol.</summary>
    public string TypeProperty => _protocol.TypeProperty;

    internal SwitchboardConnection Transport => _connection;

    /// <summary>Whether this connection's first refused join has been logged: a client that keeps joining is logged once.</summary>
    internal bool GroupLimitLogged { get; set; }

    /// <summary>Queues one UTF-8 JSON message as it is. Returns <see langword="false"/> when the connection is closing or its queue overflowed.</summary>
    public bool Send(ReadOnlyMemory<byte> utf8Json) => _connection.Send(utf8Json);

    /// <summary>Serializes <paramref name="message"/> with source-generated metadata and queues it.</summary>
    public bool Send<T>(T message, JsonTypeInfo<T> typeInfo) => _connection.Send(JsonSerializer.SerializeToUtf8Bytes(message, typeInfo));

    /// <summary>Writes a message with a <see cref="Utf8JsonWriter"/> and queues it.</summary>
    public bool Send(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return _connection.Send(buffer.WrittenMemory);
    }

    /// <summary>Answers with the application's error message (<see cref="SwitchboardHandler.OnError"/>, kind <see cref="HandlerErrorKind.Application"/>).</summary>
    public void SendError(string message) => SendError(new HandlerError(HandlerErrorKind.Application, message));

    /// <summary>Answers with the application's error message for <paramref name="error"/>.</summary>
    public void SendError(HandlerError error) => _protocol.SendError(this, error);

    /// <summary>
    /// Adds the connection to <paramref name="group"/>: it receives what is sent to the group from any node until it
    /// leaves or disconnects. Returns <see langword="false"/> when it already was a member.
    /// </summary>
    /// <exception cref="GroupLimitExceededException">The connection is in <c>Switchboard:MaxSubscriptionsPerConnection</c>
    /// groups already (its audiences, everyone, its user and its roles, do not count).</exception>
    public ValueTask<bool> JoinGroupAsync(string group) => _protocol.JoinAsync(this, _groups, group);

    /// <summary>Removes the connection from <paramref name="group"/>. Returns <see langword="false"/> when it was not a member.</summary>
    public ValueTask<bool> LeaveGroupAsync(string group) => _protocol.LeaveAsync(this, _groups, group);

    /// <summary>
    /// Closes the connection with <paramref name="code"/> and <paramref name="reason"/> (at most 123 bytes of UTF-8),
    /// after the messages already queued. Codes: 1000, 1008 (policy violation), 1011 (server error), or 3000-4999
    /// (the application's own; 4000-4009 are Switchboard's).
    /// </summary>
    public void Close(int code = CloseCodes.Normal, string reason = "")
    {
        if (code is not (CloseCodes.Normal or CloseCodes.PolicyViolation or CloseCodes.InternalError) and (< 3000 or > 4999))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "the close code must be 1000, 1008, 1011 or in 3000-4999");
        }

        reason ??= string.Empty;
        if (System.Text.Encoding.UTF8.GetByteCount(reason) > 123)
        {
            throw new ArgumentException("a close reason has at most 123 bytes of UTF-8", nameof(reason));
        }

        _connection.Close(code, reason, discardQueued: false);
    }
}
