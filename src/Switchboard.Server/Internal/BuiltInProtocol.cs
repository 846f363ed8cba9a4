using System.Buffers;
using Microsoft.AspNetCore.Http;
using Switchboard.Protocol;
using Switchboard.Server.Security.Internal;
using Switchboard.Server.Transport;

namespace Switchboard.Server.Internal;

/// <summary>
/// Switchboard's own protocol (docs/protocol.md) as a protocol of the connection core: <c>welcome</c> on connect,
/// commands executed by <see cref="CommandDispatcher"/>, JSON <c>ping</c> heartbeats, <c>rate_limited</c> refusals, and
/// the <c>auth_required</c>/<c>auth</c> handshake when a token is required and the upgrade request carried none.
/// </summary>
/// <remarks>Thread safety: stateless; one instance serves every built-in connection.</remarks>
internal sealed class BuiltInProtocol : IConnectionProtocol
{
    /// <summary>The optional subprotocol of protocol v1.</summary>
    public const string SubProtocol = "switchboard.v1.json";

    private static readonly ConnectionHeartbeat JsonPings = new(HeartbeatKind.Json, MessageWriter.Ping);

    private readonly CommandDispatcher _dispatcher;
    private readonly SwitchboardOptions _options;
    private readonly int _commandsPerSecond;
    private readonly int _commandBurst;
    private readonly int _retryAfterMs;

    public BuiltInProtocol(CommandDispatcher dispatcher, SwitchboardNode node, SecurityPolicy policy)
    {
        _dispatcher = dispatcher;
        _options = node.Options;
        Authentication = new ConnectionAuthentication(() => policy.RequiresToken, policy.Tokens is { } tokens ? new Handshake(tokens) : null, RejectReason: null) { UsesConnectProxy = true };
        _commandsPerSecond = Math.Max(0, policy.CommandsPerSecond);
        _commandBurst = Math.Max(1, policy.CommandBurst);

        // The bucket refills continuously, so one more command is allowed one refill interval after a refusal.
        _retryAfterMs = _commandsPerSecond > 0 ? (int)Math.Ceiling(1000.0 / _commandsPerSecond) : 0;
        RateLimit = policy.CommandsPerSecond > 0
            ? CommandRateGuard.TokenBucket(policy.CommandsPerSecond, policy.CommandBurst, policy.AbuseThreshold, policy.AbuseWindow)
            : null;
    }

    public bool SupportsBatching => true;

    public ConnectionHeartbeat Heartbeat => JsonPings;

    public ConnectionAuthentication Authentication { get; }

    public MessageRateLimit? RateLimit { get; }

    public string? SelectSubProtocol(IList<string> requested) => requested.Contains(SubProtocol) ? SubProtocol : null;

    public ValueTask<object?> BeforeAcceptAsync(HttpContext context) => ValueTask.FromResult<object?>(null);

    public ValueTask AbandonAsync(object? state) => ValueTask.CompletedTask;

    public ValueTask OnConnectedAsync(SwitchboardConnection connection, HttpContext context, CancellationToken cancellationToken)
    {
        // The rate limit is announced so that a client can pace itself instead of being refused (docs/protocol.md).
        connection.Send(static (buffer, s) => MessageWriter.WriteWelcome(buffer, s.connection.Id, s.connection.Identity.UserId, s.options.NodeId, (int)Math.Ceiling(s.options.PingInterval.TotalSeconds), s.rate, s.burst, s.connection.Identity.WelcomeData.Span), (connection, options: _options, rate: _commandsPerSecond, burst: _commandBurst));
        return ValueTask.CompletedTask;
    }

    public ValueTask OnMessageAsync(SwitchboardConnection connection, ReadOnlyMemory<byte> message) =>
        _dispatcher.ExecuteAsync(connection, message);

    public void OnRateLimited(SwitchboardConnection connection, ReadOnlyMemory<byte> message)
    {
        // Parsed only for its id and type, so that the answer is the one the contract gives to any failed command.
        var parsed = CommandParser.Parse(message.Span);
        var error = new ProtocolError(ErrorCodes.RateLimited, "too many commands, slow down") { RetryAfterMs = _retryAfterMs };
        connection.Send(static (buffer, s) => MessageWriter.WriteCommandError(buffer, s.Id, s.error, s.TypeName), (parsed.Id, parsed.TypeName, error));
    }

    public ValueTask OnDisconnectedAsync(SwitchboardConnection connection) => ValueTask.CompletedTask;

    /// <summary><c>auth_required</c>, then the first message must be a valid <c>auth</c>: <c>auth_ok</c>, or <c>auth_invalid</c> and 1008.</summary>
    private sealed class Handshake(TokenValidator tokens) : IAuthenticationHandshake
    {
        private static readonly ReadOnlyMemory<byte> AuthRequired = Encode(static b => MessageWriter.WriteTypeOnly(b, "auth_required"));
        private static readonly ReadOnlyMemory<byte> AuthOk = Encode(static b => MessageWriter.WriteTypeOnly(b, "auth_ok"));

        public bool Always => false;

        public ReadOnlyMemory<byte> Prompt => AuthRequired;

        public async ValueTask<HandshakeOutcome> CheckAsync(HttpContext context, ReadOnlyMemory<byte> message)
        {
            var parsed = CommandParser.Parse(message.Span);
            string error;
            if (parsed.IsSuccess && parsed.Command.Type == CommandType.Auth)
            {
                var check = await tokens.ValidateAsync(parsed.Command.Token).ConfigureAwait(false);
                if (check.IsValid)
                {
                    return new HandshakeOutcome(check.Identity, AuthOk, null);
                }

                error = check.Error!;
            }
            else
            {
                error = parsed.IsSuccess ? "expected an auth message" : $"expected an auth message ({parsed.Error.Message})";
            }

            return new HandshakeOutcome(null, Encode(b => MessageWriter.WriteAuthInvalid(b, error)), error);
        }

        private static ReadOnlyMemory<byte> Encode(Action<IBufferWriter<byte>> write)
        {
            var buffer = new ArrayBufferWriter<byte>(64);
            write(buffer);
            return buffer.WrittenMemory;
        }
    }
}
