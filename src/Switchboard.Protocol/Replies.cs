namespace Switchboard.Protocol;

/// <summary>The body of a successful <c>subscribe</c> result.</summary>
/// <param name="Channel">The channel or pattern subscribed.</param>
/// <param name="Position">The channel's last offset and epoch; <see langword="null"/> for a wildcard pattern.</param>
/// <param name="Recovered">For a subscribe with <c>since</c>: whether every publication after it is in
/// <paramref name="Publications"/>; <see langword="null"/> without <c>since</c>.</param>
/// <param name="Publications">The recovered publications, oldest first (empty when not recovered).</param>
/// <param name="Data">The raw JSON the application's backend gave with its allow (docs/proxy.md), written last as
/// <c>"data"</c>; empty for none.</param>
public sealed record SubscribeReply(string Channel, StreamPosition? Position, bool? Recovered, IReadOnlyList<Publication> Publications, ReadOnlyMemory<byte> Data = default);

/// <summary>The body of a successful <c>history</c> result.</summary>
/// <param name="Publications">The publications asked for, oldest first.</param>
/// <param name="Position">The channel's last offset and epoch.</param>
/// <param name="Complete">With <c>since</c>: whether every publication after it is included (on the wire,
/// <c>"recovered": false</c> when not). Otherwise <see langword="true"/>.</param>
/// <param name="More">Whether later publications follow the last one included (<c>"more": true</c>): ask again with
/// <c>since</c> = its position to read on.</param>
public sealed record HistoryReply(IReadOnlyList<Publication> Publications, StreamPosition Position, bool Complete, bool More = false);
