using Switchboard.Brokers;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// Makes one <c>history</c> answer: the publications asked for, oldest first, cut to what fits the outgoing queue,
/// with <c>"more": true</c> when later publications follow (the client asks again with <c>since</c> = the last one's
/// position). See docs/protocol.md, "History".
/// </summary>
internal static class HistoryPage
{
    /// <summary>The longest head of <paramref name="history"/>'s publications that fits half of <paramref name="queueLimit"/>.</summary>
    public static HistoryReply Cut(HistoryResult history, long queueLimit)
    {
        var all = history.Publications;
        var fitting = RecoveryBudget.CountFitting(all, queueLimit);
        return Of(history, fitting == all.Count ? all : all.Take(fitting).ToArray());
    }

    /// <summary>All of <paramref name="history"/> (no queue to fit, e.g. the HTTP API).</summary>
    public static HistoryReply Of(HistoryResult history) => Of(history, history.Publications);

    private static HistoryReply Of(HistoryResult history, IReadOnlyList<Publication> publications)
    {
        var more = history.Complete && publications.Count > 0 && publications[^1].Epoch == history.Position.Epoch
            && publications[^1].Offset < history.Position.Offset;
        return new HistoryReply(publications, history.Position, history.Complete, more);
    }
}
