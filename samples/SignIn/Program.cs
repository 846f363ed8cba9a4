using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using SignIn;
using Switchboard.Samples;

// dotnet run --project samples/SignIn, then open http://localhost:8000/, sign in, and the page's socket is yours.
var builder = WebApplication.CreateBuilder(args);
builder.UseSampleDefaults("http://localhost:8000");
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
builder.Services.AddAuthorization();
builder.Services.AddSwitchboard();

var app = builder.Build();
app.MapPost("/signin", async (HttpContext context) =>
{
    // A demo: anyone may be anyone. Check the password against your user store here.
    var user = (await context.Request.ReadFormAsync())["user"].ToString();
    if (user is not { Length: > 0 and <= 64 })
    {
        return Results.BadRequest("user must be 1-64 characters");
    }

    var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user)], CookieAuthenticationDefaults.AuthenticationScheme);
    await context.SignInAsync(new ClaimsPrincipal(identity));
    return Results.Redirect("/");
});
app.MapGet("/", (HttpContext context) => Results.Content(SignInPage.For(context.User.Identity?.IsAuthenticated == true ? context.User.FindFirstValue(ClaimTypes.NameIdentifier) : null), "text/html; charset=utf-8"));
app.MapSwitchboard("/ws").RequireAuthorization(); // The signed-in user is the connection's user; anonymous upgrades are refused.
app.MapOperationsEndpoints(); // /metrics, /health/live, /health/ready, as switchboard serve has them.
app.LogListeningAddress("SignIn");
app.Run();
