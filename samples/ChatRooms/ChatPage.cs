namespace ChatRooms;

/// <summary>
/// The seed's HTML chat page (wwwroot/index.html, unchanged). It opens <c>ws://localhost:8000/ws</c>, the address
/// the seed's server had; when the sample runs elsewhere the page is served with that one address pointing back at
/// the host the browser asked, so the same page works on any port. On localhost:8000 it is served byte for byte.
/// </summary>
public static class ChatPage
{
    private const string SeedAddress = "ws://localhost:8000/ws";
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(ChatPage).Assembly.GetManifestResourceStream("ChatRooms.index.html")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The page for a request to <paramref name="host"/> (host:port as the browser sent it).</summary>
    public static string For(HostString host) => Page.Value.Replace(SeedAddress, $"ws://{host}/ws", StringComparison.Ordinal);
}
