namespace Switchboard.Server.Proxy.Internal;

/// <summary>The kinds of proxy call; their lower-case names tag metrics and spans.</summary>
internal enum ProxyKind
{
    Connect,
    Refresh,
    Subscribe,
    Publish,
    Rpc,
    /// <summary>A handler's own call (<see cref="IProxyClient"/>).</summary>
    Handler,
}
