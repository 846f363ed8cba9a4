using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Switchboard.Host;

/// <summary>
/// The pages <c>serve</c> shows at <c>/</c>, <c>/chat</c>, <c>/sensors</c>, <c>/admin</c> and <c>/debug</c>, with their
/// scripts, the JavaScript client (<c>/js/switchboard/</c>, the very files of <c>clients/js</c>) and the chart library
/// (<c>/vendor/uplot/</c>), all embedded in the assembly: no build step and no npm on the server's machine.
/// The admin page is not served in Production; its data needs the HTTP API key anyway.
/// </summary>
internal static class WebPages
{
    private const string Namespace = "Switchboard.Host.wwwroot";

    public static void Map(WebApplication app)
    {
        IFileProvider files = new EmbeddedFileProvider(typeof(WebPages).Assembly, Namespace);
        if (app.Environment.IsProduction())
        {
            files = new WithoutAdmin(files);
        }

        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        Page(app, files, "/", "index.html");
        Page(app, files, "/chat", "chat.html");
        Page(app, files, "/sensors", "sensors.html");
        Page(app, files, "/debug", "debug.html");
        Page(app, files, "/admin", "admin.html");
    }

    private static void Page(WebApplication app, IFileProvider files, string path, string file)
    {
        var info = files.GetFileInfo(file);
        if (!info.Exists)
        {
            return;
        }

        app.MapGet(path, () => Results.Stream(info.CreateReadStream(), "text/html; charset=utf-8"));
    }

    /// <summary>Hides the admin page and its script (Production).</summary>
    private sealed class WithoutAdmin(IFileProvider inner) : IFileProvider
    {
        public IFileInfo GetFileInfo(string subpath) =>
            subpath.TrimStart('/').StartsWith("admin", StringComparison.OrdinalIgnoreCase) ? new NotFoundFileInfo(subpath) : inner.GetFileInfo(subpath);

        public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;

        public IChangeToken Watch(string filter) => NullChangeToken.Singleton;
    }
}
