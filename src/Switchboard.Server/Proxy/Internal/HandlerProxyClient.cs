using System.Text;
using Switchboard.Server.Handlers;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>The handlers' <see cref="IProxyClient"/>: the built-in protocol's <see cref="ProxyClient"/>, kind <c>handler</c>.</summary>
/// <remarks>Thread safety: stateless; called by every connection at once.</remarks>
internal sealed class HandlerProxyClient(ProxyClient client) : IProxyClient
{
    public async Task<ProxyOutcome> CallAsync(HandlerConnection connection, ProxyCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(call);
        if (!Uri.TryCreate(call.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"the proxy call's Url must be an absolute http or https URL (got '{call.Url}')", nameof(call));
        }

        var transport = connection.Transport;
        var data = call.Data is { } element ? Encoding.UTF8.GetBytes(element.GetRawText()) : default(ReadOnlyMemory<byte>);
        var request = new ProxyRequest(transport.Id, transport.Identity.UserId, call.Channel, data, call.Method);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Aborted);
        var outcome = await client.CallAsync(ProxyKind.Handler, call.Url, request, transport.ForwardedHeaders, linked.Token).ConfigureAwait(false);
        if (outcome.DisconnectCode is { } code)
        {
            transport.CommandError = "disconnect";
            transport.Close(code, outcome.DisconnectReason, discardQueued: false);
        }

        return outcome;
    }
}
