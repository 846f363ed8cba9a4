using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Server.Handlers;
using Switchboard.Server.Security;
using Switchboard.Server.Tests.Security;

namespace Switchboard.Server.Tests.SignIn;

/// <summary>
/// An ASP.NET Core app on real Kestrel that signs its users in itself, with cookies (<c>/signin?user=&amp;role=</c>)
/// and JwtBearer (RS256 tokens of <see cref="Key"/>), and no Switchboard key at all. It maps the built-in protocol
/// at <c>/app</c> (<c>RequireAuthorization()</c>: the cookie scheme), <c>/app-cors</c> (the same, with a CORS policy
/// for <see cref="SpaOrigin"/>) and <c>/app-jwt</c> (a Bearer-only policy), and
/// <see cref="SignedInHandler"/> (<c>[Authorize]</c> for Bearer on the class) at <c>/handler</c>; channel rules give
/// every user their own <c>user.{sub}</c> and admins <c>admin.&gt;</c>.
/// </summary>
public sealed class SignInApp : IAsyncDisposable
{
    public const int MaxConnectionsPerUser = 3;

    /// <summary>The one other origin <c>/app-cors</c>'s CORS policy allows.</summary>
    public const string SpaOrigin = "https://spa.example";

    private SignInApp(TestServer server, RSA key)
    {
        Server = server;
        Key = key;
    }

    public TestServer Server { get; }

    public RSA Key { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>: the app's own origin, as a page of it would send it.</summary>
    public string Origin => Server.BaseUri.GetLeftPart(UriPartial.Authority);

    public static async Task<SignInApp> StartAsync(Action<SwitchboardSecurityOptions>? security = null)
    {
        var key = RSA.Create(2048);
        var server = await TestServer.StartAsync(
            configureServices: services =>
            {
                services.Configure<SwitchboardSecurityOptions>(o =>
                {
                    o.Auth.ClockSkew = TimeSpan.FromSeconds(1);
                    o.Channels.Add(new ChannelRule { Pattern = "user.{sub}", Subscribe = "user", Publish = "user" });
                    o.Channels.Add(new ChannelRule { Pattern = "admin.>", Subscribe = "role:admin", Publish = "role:admin" });
                    o.Channels.Add(new ChannelRule { Pattern = "chat.>", Subscribe = "authenticated", Publish = "authenticated" });
                    o.Limits.MaxConnectionsPerUser = MaxConnectionsPerUser;
                    security?.Invoke(o);
                });
                services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
                    .AddCookie()
                    .AddJwtBearer(o =>
                    {
                        o.MapInboundClaims = true; // The default: sub arrives as NameIdentifier, as in most apps.
                        o.TokenValidationParameters = new TokenValidationParameters
                        {
                            IssuerSigningKey = new RsaSecurityKey(key),
                            ValidIssuer = Jwt.Issuer,
                            ValidAudience = Jwt.Audience,
                            ClockSkew = TimeSpan.Zero,
                        };
                    });
                services.AddAuthorization();
                services.AddCors();
            },
            configureApp: app =>
            {
                app.MapGet("/signin", async (HttpContext context, string user, string? role) =>
                {
                    var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, user), new(ClaimTypes.Name, user + " (cookie)") };
                    if (role is not null)
                    {
                        claims.Add(new Claim(ClaimTypes.Role, role));
                    }

                    await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
                    return Results.Ok();
                });
                app.MapGet("/signin-nameless", async (HttpContext context) =>
                {
                    await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "no id")], CookieAuthenticationDefaults.AuthenticationScheme)));
                    return Results.Ok();
                });
                app.UseCors(); // Endpoints with CORS metadata need the middleware; the Origin check reads the same policy.
                app.MapSwitchboard("/app").RequireAuthorization();
                app.MapSwitchboard("/app-cors").RequireAuthorization().RequireCors(p => p.WithOrigins(SpaOrigin));
                app.MapSwitchboard("/app-jwt").RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = JwtBearerDefaults.AuthenticationScheme });
                app.MapSwitchboardHandler<SignedInHandler>("/handler");
            });
        return new SignInApp(server, key);
    }

    /// <summary>An RS256 token of the app's issuer for <paramref name="sub"/>, valid for <paramref name="lifetime"/> (default an hour).</summary>
    public string Token(string sub, TimeSpan? lifetime = null, params string[] roles)
    {
        var claims = Jwt.Claims(sub, roles);
        claims["exp"] = Jwt.Now + (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds;
        return Jwt.Rs256(Key, claims);
    }

    public Uri Endpoint(string path) => new($"ws://{Server.BaseUri.Authority}{path}");

    /// <summary>Signs in at <c>/signin</c> and returns the cookies the app set.</summary>
    public async Task<CookieContainer> SignInWithCookieAsync(string user, string? role = null, string path = "/signin")
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = Server.BaseUri };
        var query = path == "/signin" ? $"?user={Uri.EscapeDataString(user)}" + (role is null ? string.Empty : $"&role={Uri.EscapeDataString(role)}") : string.Empty;
        (await http.GetAsync(path + query)).EnsureSuccessStatusCode();
        Assert.NotEmpty(cookies.GetCookies(Server.BaseUri));
        return cookies;
    }

    /// <summary>Connects with the cookies (and an <c>Origin</c> when given) and reads the welcome.</summary>
    public Task<TestClient> ConnectWithCookieAsync(CookieContainer cookies, string path = "/app", string? origin = null, bool expectWelcome = true) =>
        TestClient.ConnectAsync(Endpoint(path), o =>
        {
            o.Cookies = cookies;
            if (origin is not null)
            {
                o.SetRequestHeader("Origin", origin);
            }
        }, expectWelcome);

    /// <summary>Connects with <c>Authorization: Bearer</c> (and an <c>Origin</c> when given).</summary>
    public Task<TestClient> ConnectWithBearerAsync(string token, string path = "/app-jwt", string? origin = null, bool expectWelcome = true) =>
        TestClient.ConnectAsync(Endpoint(path), o =>
        {
            o.SetRequestHeader("Authorization", "Bearer " + token);
            if (origin is not null)
            {
                o.SetRequestHeader("Origin", origin);
            }
        }, expectWelcome);

    /// <summary>Asserts that the upgrade was refused with HTTP <paramref name="status"/> (the client never got a socket).</summary>
    public static async Task AssertRefusedAsync(int status, Func<Task<TestClient>> connect)
    {
        var refused = await Assert.ThrowsAsync<WebSocketException>(connect);
        Assert.Contains($"'{status}'", refused.Message);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Key.Dispose();
    }
}

/// <summary>A handler that only the app's Bearer users reach (the attribute is on the class, as on a SignalR hub): its welcome names the user and roles; <c>to_user</c> reaches a user's every connection.</summary>
[Authorize(AuthenticationSchemes = JwtBearerDefaults.AuthenticationScheme)]
public sealed class SignedInHandler : SwitchboardHandler
{
    public override void Configure(HandlerOptions options) =>
        options.On("to_user", (connection, message) =>
        {
            var json = message.Json;
            var notice = new JsonObject { ["type"] = "notice", ["text"] = json.GetProperty("text").GetString() };
            return Clients.User(json.GetProperty("target").GetString()!).SendAsync(System.Text.Encoding.UTF8.GetBytes(notice.ToJsonString()));
        });

    public override ValueTask OnConnectedAsync(HandlerConnection connection)
    {
        var welcome = new JsonObject
        {
            ["type"] = "welcome",
            ["user"] = connection.UserId,
            ["roles"] = new JsonArray([.. connection.User.Roles.Order(StringComparer.Ordinal).Select(r => (JsonNode)r)]),
            ["scheme"] = connection.User.AuthenticationScheme,
        };
        connection.Send(System.Text.Encoding.UTF8.GetBytes(welcome.ToJsonString()));
        return ValueTask.CompletedTask;
    }
}
