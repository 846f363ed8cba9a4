using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Server.Internal;

/// <summary>
/// Puts a <see cref="CoalescingStream"/> under the WebSocket that ASP.NET Core's WebSocket middleware creates, so that
/// the platform still does the handshake, the options and the framing, and only the flushing is ours. It wraps the
/// request's <see cref="IHttpUpgradeFeature"/> before the WebSocket middleware captures it; the middleware's
/// <c>UpgradeAsync</c> then returns the coalescing stream, and <see cref="Wrap"/> turns the accepted socket into a
/// <see cref="CoalescingWebSocket"/> that the connection's writer can hold the flush of.
/// </summary>
/// <remarks>HTTP/2 WebSockets (extended CONNECT) are left as they are: their frames are flushed one by one.</remarks>
internal sealed class CoalescingUpgrade(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    private CoalescingStream? _stream;

    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    /// <summary>Middleware to run before <c>UseWebSockets</c>: wraps the upgrade feature of HTTP/1.1 requests.</summary>
    public static Task InstallAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            context.Features.Set<IHttpUpgradeFeature>(new CoalescingUpgrade(upgrade));
        }

        return next(context);
    }

    /// <summary>
    /// The accepted socket as a <see cref="CoalescingWebSocket"/> when it runs over a coalescing stream, whose reads
    /// then follow the frame sizes against <paramref name="maxMessageSize"/>. Called before the socket's first read.
    /// </summary>
    public static WebSocket Wrap(HttpContext context, WebSocket accepted, int maxMessageSize)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is not CoalescingUpgrade { _stream: { } stream })
        {
            return accepted;
        }

        stream.Frames = new Transport.FrameSizeGuard(maxMessageSize);
        return new CoalescingWebSocket(accepted, stream);
    }

    public async Task<Stream> UpgradeAsync()
    {
        _stream = new CoalescingStream(await inner.UpgradeAsync().ConfigureAwait(false));
        return _stream;
    }
}
