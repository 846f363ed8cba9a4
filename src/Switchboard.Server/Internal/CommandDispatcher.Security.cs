using Switchboard.Protocol;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Server.Internal;

/// <summary>The token commands on a live connection: <c>refresh</c>, and <c>auth</c> (only valid before <c>welcome</c>).</summary>
internal sealed partial class CommandDispatcher
{
    private async ValueTask RefreshAsync(SwitchboardConnection connection, Command command)
    {
        // A user the application signed in is refreshed by the scheme that signed them in; a token user by the keys.
        var scheme = connection.Identity.AuthenticationScheme;
        if (scheme is null && _security.Tokens is null)
        {
            Fail(connection, command, ProtocolError.BadRequest("this server does not use tokens"));
            return;
        }

        if (!connection.Identity.IsAuthenticated)
        {
            Fail(connection, command, new ProtocolError(ErrorCodes.Unauthorized, "refresh needs a connection authenticated with a token"));
            return;
        }

        var check = scheme is not null
            ? await _signIn.RefreshAsync(scheme, command.Token).ConfigureAwait(false)
            : await _security.Tokens!.ValidateAsync(command.Token).ConfigureAwait(false);
        if (!check.IsValid)
        {
            // The connection keeps its current token, and closes with 4001 when that one expires.
            Fail(connection, command, new ProtocolError(ErrorCodes.Unauthorized, check.Error!));
            return;
        }

        if (!string.Equals(check.Identity!.UserId, connection.Identity.UserId, StringComparison.Ordinal))
        {
            Fail(connection, command, new ProtocolError(ErrorCodes.Forbidden, "the token is for another user"));
            return;
        }

        connection.Identity = check.Identity;
        var expires = check.Identity.ExpiresAt?.ToUnixTimeSeconds();
        Reply(connection, command, expires, ReplyWriter.WriteRefresh);
    }

    private void Auth(SwitchboardConnection connection, Command command) =>
        Fail(connection, command, ProtocolError.BadRequest(_security.Tokens is null ? "this server does not use tokens" : "already authenticated; use refresh to replace the token"));
}
