using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Protocol;
using Switchboard.Brokers;
using Switchboard.Server.Handlers.Internal;
using Switchboard.Server.Internal;

namespace Switchboard.Server.Handlers;

/// <summary>
/// The audiences of one handler on every node: everyone connected to it, a group, a user's connections, a role. A
/// message sent to an audience is serialized once and published on the broker (with Redis, it reaches the audience's
/// members on every node); each member's connection queues the same bytes.
/// </summary>
/// <remarks>
/// Delivery is at most once and in order per sender, as for publications; there is no history or recovery for
/// handler messages. Thread safety: every member may be called from many threads at once.
/// </remarks>
public class HandlerClients
{
    private readonly SwitchboardNode _node;

    internal HandlerClients(SwitchboardNode node, string name)
    {
        _node = node;
        Namespace = HandlerChannels.Namespace(name);
    }

    /// <summary>Every connection of this handler.</summary>
    public HandlerTarget All => new(this, HandlerChannels.All(Namespace), null);

    internal string Namespace { get; }

    /// <summary>The members of <paramref name="group"/>.</summary>
    public HandlerTarget Group(string group) => new(this, HandlerChannels.Group(Namespace, group), null);

    /// <summary>Every connection of the user <paramref name="userId"/> (the token's <c>sub</c>).</summary>
    public HandlerTarget User(string userId) => new(this, HandlerChannels.User(Namespace, userId), null);

    /// <summary>Every connection whose token has the role <paramref name="role"/>.</summary>
    public HandlerTarget Role(string role) => new(this, HandlerChannels.Role(Namespace, role), null);

    /// <summary>Checks a message from outside a serializer: one JSON value in valid UTF-8, within the size limit.</summary>
    internal void RequireValid(ReadOnlySpan<byte> utf8Json) => _node.Gate.RequireValid(utf8Json);

    internal ValueTask PublishAsync(string channel, ReadOnlyMemory<byte> utf8Json, string? exceptConnectionId, CancellationToken cancellationToken)
    {
        // "from" names the connection to skip; the handler's message itself travels untouched as the publication's data.
        // Straight to the broker, not through SwitchboardNode.PublishAsync: publication observers (the NATS bridge)
        // are for channels, and these reserved channels are the handler's internal plumbing.
        _node.Gate.RequireDeliverable(utf8Json.Length);
        var from = exceptConnectionId is null ? null : new PublisherInfo(exceptConnectionId, null);
        var request = new PublishRequest(channel, utf8Json, from, null, new HistoryPolicy(0, _node.Options.HistoryTtl), TimeSpan.Zero);
        var publish = _node.Broker.PublishAsync(request, cancellationToken);
        return publish.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitAsync(publish);

        static async ValueTask AwaitAsync(ValueTask<PublishResult> publish) => await publish.ConfigureAwait(false);
    }
}

/// <summary>
/// The audiences of <typeparamref name="THandler"/>, for code outside its callbacks (HTTP endpoints, background
/// services): inject it from DI. The same object as the handler's <see cref="SwitchboardHandler.Clients"/>. Audiences
/// are scoped by the handler's type name, so two handler types must not share a name.
/// </summary>
/// <typeparam name="THandler">The handler.</typeparam>
public sealed class HandlerClients<THandler> : HandlerClients
    where THandler : SwitchboardHandler
{
    /// <summary>Created by DI.</summary>
    public HandlerClients(IServiceProvider services)
        : base(services.GetRequiredService<SwitchboardNode>(), typeof(THandler).Name)
    {
    }
}

/// <summary>An audience to send to, optionally without one connection (usually the sender).</summary>
public readonly struct HandlerTarget
{
    private readonly HandlerClients _clients;
    private readonly string _channel;
    private readonly string? _except;

    internal HandlerTarget(HandlerClients clients, string channel, string? except)
    {
        _clients = clients;
        _channel = channel;
        _except = except;
    }

    /// <summary>The same audience without <paramref name="connection"/>.</summary>
    public HandlerTarget Except(HandlerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new HandlerTarget(_clients, _channel, connection.Id);
    }

    /// <summary>The same audience without the connection <paramref name="connectionId"/>.</summary>
    public HandlerTarget Except(string connectionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        return new HandlerTarget(_clients, _channel, connectionId);
    }

    /// <summary>Sends one UTF-8 JSON message, as it is, to every member on every node.</summary>
    /// <exception cref="PublicationTooLargeException">The message is larger than a member can receive (<see cref="SwitchboardOptions.MaxPublicationSize"/>).</exception>
    /// <exception cref="ArgumentException">The message is not one JSON value in valid UTF-8.</exception>
    /// <exception cref="BrokerUnavailableException">The broker is down.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default)
    {
        _clients.RequireValid(utf8Json.Span);
        return _clients.PublishAsync(_channel, utf8Json, _except, cancellationToken);
    }

    /// <summary>Serializes <paramref name="message"/> once with source-generated metadata and sends it to every member on every node.</summary>
    /// <exception cref="PublicationTooLargeException">The message is larger than a member can receive (<see cref="SwitchboardOptions.MaxPublicationSize"/>).</exception>
    /// <exception cref="BrokerUnavailableException">The broker is down.</exception>
    public ValueTask SendAsync<T>(T message, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        _clients.PublishAsync(_channel, JsonSerializer.SerializeToUtf8Bytes(message, typeInfo), _except, cancellationToken);
}
