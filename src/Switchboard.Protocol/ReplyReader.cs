namespace Switchboard.Protocol;

/// <summary>
/// Reads the bodies of successful results (<see cref="ServerMessage.Result"/>), the client's side of
/// <see cref="ReplyWriter"/>. Lenient: a missing field reads as its default.
/// </summary>
/// <remarks>Thread safety: stateless, safe to call from many threads.</remarks>
public static class ReplyReader
{
    /// <summary>Reads a subscribe result; <paramref name="channel"/> is the channel subscribed, for a body without one.</summary>
    public static SubscribeReply ReadSubscribe(ReadOnlySpan<byte> result, string channel)
    {
        var f = Read(result);
        StreamPosition? position = f.Offset is { } offset ? new StreamPosition(offset, f.Epoch ?? "") : null;
        var data = f.Data.Equals(default(Range)) ? default : MessageFields.Slice(result, f.Data, default);
        return new SubscribeReply(f.Channel ?? channel, position, f.Recovered, WithChannel(f.Publications, f.Channel ?? channel), data);
    }

    /// <summary>Reads a history result of <paramref name="channel"/>.</summary>
    public static HistoryReply ReadHistory(ReadOnlySpan<byte> result, string channel)
    {
        var f = Read(result);
        return new HistoryReply(WithChannel(f.Publications, channel), new StreamPosition(f.Offset ?? 0, f.Epoch ?? ""), f.Recovered != false, f.More);
    }

    /// <summary>Reads a publish result: the publication's offset.</summary>
    public static long ReadPublish(ReadOnlySpan<byte> result) => Read(result).Offset ?? 0;

    /// <summary>Reads a presence result: the channel's subscribers.</summary>
    public static IReadOnlyList<PresenceMember> ReadPresence(ReadOnlySpan<byte> result) => Read(result).Clients ?? [];

    /// <summary>Reads a refresh result: when the new token expires, in Unix seconds; <see langword="null"/> for never.</summary>
    public static long? ReadRefresh(ReadOnlySpan<byte> result) => Read(result).Expires;

    private static MessageFields Read(ReadOnlySpan<byte> result) =>
        MessageFields.TryRead(result, out var fields) ? fields : default;

    /// <summary>Publications in results carry their channel; one that does not belongs to the channel asked about.</summary>
    private static IReadOnlyList<Publication> WithChannel(List<Publication>? publications, string channel)
    {
        if (publications is null)
        {
            return [];
        }

        for (var i = 0; i < publications.Count; i++)
        {
            if (publications[i].Channel.Length == 0)
            {
                var p = publications[i];
                publications[i] = new Publication(channel, p.Data, p.Offset, p.Epoch, p.From, p.Timestamp);
            }
        }

        return publications;
    }
}
