using System.Text.Json.Serialization;
using Switchboard.Server.Handlers;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests.Handlers;

public sealed record AuthRequest(string Type, string? AccessToken);

public sealed record AuthReply(string Type, string? Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuthRequest))]
[JsonSerializable(typeof(AuthReply))]
public sealed partial class AuthJson : JsonSerializerContext;

/// <summary>
/// Home Assistant's handshake shape: <c>auth_required</c> first, then the client's <c>auth</c> message carries either
/// the application's own access token or a JWT checked with the server's validator.
/// </summary>
public sealed class FirstMessageAuthHandler : SwitchboardHandler
{
    public const string AccessToken = "static-access-token";

    public override void Configure(HandlerOptions options)
    {
        options.Authentication = HandlerAuthentication.FirstMessage;
        options.AuthenticationPrompt = """{"type":"auth_required"}""";
        options.On("whoami", (c, _) =>
        {
            c.Send(new AuthReply("you", c.UserId), AuthJson.Default.AuthReply);
            return ValueTask.CompletedTask;
        });
    }

    public override async ValueTask<HandlerAuthResult> AuthenticateAsync(HandlerAuthContext context)
    {
        if (!context.IsJson || context.Message.Type != "auth")
        {
            return HandlerAuthResult.Reject("expected auth").WithReply(new AuthReply("auth_invalid", "Expected an auth message"), AuthJson.Default.AuthReply);
        }

        var request = context.Message.Deserialize(AuthJson.Default.AuthRequest);
        var result = request?.AccessToken == AccessToken
            ? HandlerAuthResult.Accept(new ConnectionIdentity { UserId = "static-user" })
            : await context.ValidateTokenAsync(request?.AccessToken);
        return result.IsAccepted
            ? result.WithReply(new AuthReply("auth_ok", null), AuthJson.Default.AuthReply)
            : result.WithReply(new AuthReply("auth_invalid", "Invalid access token"), AuthJson.Default.AuthReply);
    }
}
