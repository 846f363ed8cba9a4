using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchboard.Protocol;

namespace Switchboard.Client.Internal;

/// <summary>
/// The commands this client sends, as protocol <see cref="Command"/>s encoded by <see cref="CommandWriter"/>: the wire
/// rules live once, in Switchboard.Protocol. Each result is kept as bytes so that a resend is the same command.
/// </summary>
internal static class ClientCommands
{
    public static byte[] Subscribe(long id, string channel, StreamPosition? since, bool presence) => CommandWriter.Encode(new Command
    {
        Type = CommandType.Subscribe,
        Id = CommandId.FromNumber(id),
        Channel = ChannelPattern.Parse(channel),
        Since = since,
        Presence = presence,
    });

    public static byte[] Unsubscribe(string channel) =>
        CommandWriter.Encode(new Command { Type = CommandType.Unsubscribe, Channel = ChannelPattern.Parse(channel) });

    public static byte[] Publish<T>(long id, string channel, string key, T data, JsonTypeInfo<T> typeInfo) => CommandWriter.Encode(new Command
    {
        Type = CommandType.Publish,
        Id = CommandId.FromNumber(id),
        Channel = ChannelPattern.Parse(channel),
        Data = JsonSerializer.SerializeToUtf8Bytes(data, typeInfo),
        Key = key,
    });

    public static byte[] History(long id, string channel, int? limit, StreamPosition? since) => CommandWriter.Encode(new Command
    {
        Type = CommandType.History,
        Id = CommandId.FromNumber(id),
        Channel = ChannelPattern.Parse(channel),
        Limit = limit,
        Since = since,
    });

    public static byte[] Presence(long id, string channel) =>
        CommandWriter.Encode(new Command { Type = CommandType.Presence, Id = CommandId.FromNumber(id), Channel = ChannelPattern.Parse(channel) });

    public static byte[] Rpc<TParams>(long id, string method, TParams parameters, JsonTypeInfo<TParams>? typeInfo) => CommandWriter.Encode(new Command
    {
        Type = CommandType.Rpc,
        Id = CommandId.FromNumber(id),
        Method = method,
        Params = typeInfo is null ? default : JsonSerializer.SerializeToUtf8Bytes(parameters, typeInfo),
    });

    public static byte[] Refresh(long id, string token) =>
        CommandWriter.Encode(new Command { Type = CommandType.Refresh, Id = CommandId.FromNumber(id), Token = token });

    public static byte[] Auth(string token) => CommandWriter.Encode(new Command { Type = CommandType.Auth, Token = token });
}
