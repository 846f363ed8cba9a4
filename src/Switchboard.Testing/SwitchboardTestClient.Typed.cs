using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Switchboard.Testing;

/// <summary>Typed waits, and the wait that something does not arrive.</summary>
public sealed partial class SwitchboardTestClient
{
    /// <summary>
    /// Waits for the next message whose <c>type</c> is <paramref name="type"/> and reads it as <typeparamref name="T"/>
    /// with the source-generated <paramref name="typeInfo"/> (your app's own message records).
    /// </summary>
    public async Task<T> ReceiveAsync<T>(string type, JsonTypeInfo<T> typeInfo, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var message = await ReceiveTypeAsync(type, timeout).ConfigureAwait(false);
        return message.Deserialize(typeInfo) ?? throw new JsonException($"the {type} message is null");
    }

    /// <summary>Waits for the next publication on <paramref name="channel"/> and reads its <c>data</c> as <typeparamref name="T"/>.</summary>
    public async Task<T> ExpectMessageAsync<T>(string channel, JsonTypeInfo<T> typeInfo, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var message = await ExpectMessageAsync(channel, timeout).ConfigureAwait(false);
        return (message["data"] ?? throw new JsonException("the message has no data")).Deserialize(typeInfo) ?? throw new JsonException("the message's data is null");
    }

    /// <summary>
    /// Passes when no message (or none that <paramref name="match"/> accepts) arrives within <paramref name="within"/>;
    /// throws <see cref="UnexpectedMessageException"/> with the message otherwise. It waits the whole time: keep
    /// <paramref name="within"/> short, and first wait for something that does arrive (a later message from the same
    /// sender), so that the quiet spell means "not sent" rather than "not sent yet".
    /// </summary>
    public async Task ExpectNoMessageAsync(TimeSpan within, Func<JsonObject, bool>? match = null)
    {
        JsonObject message;
        try
        {
            message = await ReceiveAsync(match ?? (static _ => true), within).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return;
        }

        throw new UnexpectedMessageException(message);
    }
}
