namespace Switchboard.Server.Proxy;

/// <summary>One kind of proxy call: enabled by its <see cref="Url"/>.</summary>
public class ProxyEndpointOptions
{
    /// <summary>The backend endpoint the call is <c>POST</c>ed to (absolute, <c>http</c> or <c>https</c>), or <see langword="null"/> for none.</summary>
    public string? Url { get; set; }

    internal bool IsEnabled => !string.IsNullOrEmpty(Url);
}
