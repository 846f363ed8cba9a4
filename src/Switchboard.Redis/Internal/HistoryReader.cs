using Switchboard.Protocol;
using Switchboard.Brokers;

namespace Switchboard.Redis.Internal;

/// <summary>
/// Turns what Redis returned for a history read into a <see cref="HistoryResult"/> with the memory broker's rules:
/// with a since position, complete only when the epoch matches (or since.Offset is 0: a client that has seen nothing of
/// any epoch) and every publication after it is still held, the oldest <c>limit</c> of them (a page forward);
/// otherwise the newest <c>limit</c> held (or all), oldest first.
/// </summary>
internal static class HistoryReader
{
    /// <param name="position">The stream's current position.</param>
    /// <param name="held">Unexpired publications read, oldest first.</param>
    /// <param name="query">The query.</param>
    public static HistoryResult Read(StreamPosition position, List<Publication> held, HistoryQuery query)
    {
        if (query.Since is { } since)
        {
            var sameStream = since.Epoch == position.Epoch || since.Offset == 0;
            if (!sameStream || since.Offset > position.Offset)
            {
                return new HistoryResult(position, [], Complete: false);
            }

            var missed = held.FindAll(p => p.Offset > since.Offset);
            // Complete when the missed publications are exactly since+1 .. offset: none expired, trimmed or skipped.
            var expected = position.Offset - since.Offset;
            var complete = missed.Count == expected && (expected == 0 || (missed[0].Offset == since.Offset + 1 && missed[^1].Offset == position.Offset));
            // After a since position, a limit pages forward: the oldest first, the client continues from the last one.
            var page = query.Limit is { } n && missed.Count > n ? missed.GetRange(0, Math.Max(0, n)) : missed;
            return complete ? new HistoryResult(position, page, Complete: true) : new HistoryResult(position, [], Complete: false);
        }

        return new HistoryResult(position, Newest(held, query.Limit), Complete: true);
    }

    private static List<Publication> Newest(List<Publication> publications, int? limit) =>
        limit is { } n && publications.Count > n ? publications.GetRange(publications.Count - Math.Max(0, n), Math.Max(0, n)) : publications;
}
