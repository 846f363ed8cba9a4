using System.Text;
using System.Text.Json;
using Switchboard.Brokers;
using Switchboard.Protocol;
using Switchboard.Server.Proxy;
using Switchboard.Server.Proxy.Internal;

namespace Switchboard.Server.Internal;

/// <summary>
/// Commands the application's backend decides (docs/proxy.md): a subscribe or publish on a channel its patterns match,
/// an rpc no handler answers. The channel rules run first; the backend is asked only about what they allow.
/// </summary>
internal sealed partial class CommandDispatcher
{
    private static ProxyRequest RequestOf(SwitchboardConnection connection, Command command, ReadOnlyMemory<byte> data = default) =>
        new(connection.Id, connection.Identity.UserId, command.Channel?.Value, data, command.Method, command.Since);

    /// <summary>
    /// Asks the backend about a subscribe: <see langword="null"/> when it refused (the error or the close is already
    /// sent), else its <c>result.data</c> for the subscribe result (empty for none).
    /// </summary>
    private async ValueTask<ReadOnlyMemory<byte>?> ProxySubscribeAsync(SwitchboardConnection connection, Command command, CancellationToken cancellationToken)
    {
        var outcome = await _proxy.CallAsync(ProxyKind.Subscribe, _proxy.Options.Subscribe.Url!, RequestOf(connection, command), connection.ForwardedHeaders, cancellationToken).ConfigureAwait(false);
        if (!Allows(connection, command, outcome))
        {
            return null;
        }

        return outcome.ResultData is { } data ? Encoding.UTF8.GetBytes(data.GetRawText()) : ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>An rpc no handler has: the backend's <c>result.data</c> is its result.</summary>
    private async ValueTask ProxyRpcAsync(SwitchboardConnection connection, Command command, CancellationToken cancellationToken)
    {
        var outcome = await _proxy.CallAsync(ProxyKind.Rpc, _proxy.Options.Rpc.Url!, RequestOf(connection, command, command.Params), connection.ForwardedHeaders, cancellationToken).ConfigureAwait(false);
        if (Allows(connection, command, outcome) && command.Id is { } id)
        {
            var raw = outcome.ResultData is { } data ? Encoding.UTF8.GetBytes(data.GetRawText()) : "null"u8.ToArray();
            connection.Send(static (buffer, s) => MessageWriter.WriteSuccessRaw(buffer, s.id, s.raw), (id, raw));
        }
    }

    /// <summary>
    /// A proxied publish: the backend's answer, then (after the connection's earlier publishes replied, so that its
    /// publications keep their order) the client's data or the backend's <c>data</c> in its place. A refusal throws
    /// <see cref="ProxyRefusalException"/>, which <see cref="FinishPublishAsync"/> turns into the reply, in order.
    /// </summary>
    private async ValueTask<PublishResult> ProxyPublishAsync(SwitchboardConnection connection, Command command, Task earlier, CancellationToken cancellationToken)
    {
        var outcome = await _proxy.CallAsync(ProxyKind.Publish, _proxy.Options.Publish.Url!, RequestOf(connection, command, command.Data), connection.ForwardedHeaders, cancellationToken).ConfigureAwait(false);
        if (outcome.Result is null)
        {
            Disconnect(connection, outcome);
            throw new ProxyRefusalException(outcome.Error, outcome.DisconnectCode is not null);
        }

        var data = outcome.ResultData is { } rewritten ? Encoding.UTF8.GetBytes(rewritten.GetRawText()) : command.Data;
        await earlier.ConfigureAwait(false); // Never faults: it is FinishPublishAsync.
        return await _node.PublishAsync(PublishRequestOf(connection, command, data), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the backend allowed the command; otherwise its error is the command's, or its disconnect closes the connection.</summary>
    private static bool Allows(SwitchboardConnection connection, Command command, ProxyOutcome outcome)
    {
        if (outcome.Result is not null)
        {
            return true;
        }

        if (!Disconnect(connection, outcome))
        {
            Fail(connection, command, outcome.Error!);
        }

        return false;
    }

    /// <summary>Closes the connection when the backend said so (earlier replies still go out first).</summary>
    private static bool Disconnect(SwitchboardConnection connection, ProxyOutcome outcome)
    {
        if (outcome.DisconnectCode is not { } code)
        {
            return false;
        }

        connection.CommandError = "disconnect";
        connection.Close(code, outcome.DisconnectReason, discardQueued: false);
        return true;
    }

    /// <summary>The backend refused a publish: its error (or <c>unavailable</c>), or a disconnect (no reply: the connection closes).</summary>
    private sealed class ProxyRefusalException(ProtocolError? error, bool disconnected) : Exception(error?.Message ?? "disconnected by the application")
    {
        public ProtocolError? Error { get; } = error;

        public bool Disconnected { get; } = disconnected;
    }
}
