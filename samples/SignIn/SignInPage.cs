using System.Net;

namespace SignIn;

/// <summary>The sample's one page: a sign-in form, or for a signed-in user a socket to <c>/ws</c> that shows its <c>welcome</c>.</summary>
internal static class SignInPage
{
    public static string For(string? user) => user is null
        ? """
          <!doctype html><title>Sign in</title>
          <form method="post" action="/signin"><input id="user" name="user" placeholder="your name"><button id="signin">Sign in</button></form>
          """
        : $$"""
          <!doctype html><title>Signed in</title>
          <p>Signed in as <b id="user">{{WebUtility.HtmlEncode(user)}}</b>.</p>
          <pre id="welcome"></pre>
          <script>
            // The browser sends the sign-in cookie with the upgrade: no token to fetch or pass.
            const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws');
            ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.type === 'welcome') document.getElementById('welcome').textContent = JSON.stringify(m); };
          </script>
          """;
}
