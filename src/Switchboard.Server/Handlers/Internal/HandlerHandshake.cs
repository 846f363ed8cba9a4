using Microsoft.AspNetCore.Http;
using Switchboard.Server.Security.Internal;
using Switchboard.Server.Transport;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>First-message authentication for a handler: the prompt, then <see cref="SwitchboardHandler.AuthenticateAsync"/> decides.</summary>
internal sealed class HandlerHandshake(HandlerProtocol protocol, HandlerOptions options, TokenValidator? tokens) : IAuthenticationHandshake
{
    private readonly byte[] _typeProperty = System.Text.Encoding.UTF8.GetBytes(options.TypeProperty);

    public bool Always => true;

    public ReadOnlyMemory<byte> Prompt { get; set; }

    public async ValueTask<HandshakeOutcome> CheckAsync(HttpContext context, ReadOnlyMemory<byte> message)
    {
        var isJson = MessageTypeReader.TryRead(message.Span, _typeProperty, out var type);
        var received = new HandlerMessage(message, type);
        HandlerAuthResult result;
        try
        {
            result = await protocol.Handler.AuthenticateAsync(new HandlerAuthContext(received, context, tokens) { IsJson = isJson }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            protocol.AuthenticationFailed(ex);
            result = HandlerAuthResult.Reject("authentication failed");
        }
        finally
        {
            received.Release();
        }

        return new HandshakeOutcome(result.Identity, result.Reply, result.Reason);
    }
}
