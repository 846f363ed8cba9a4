using System.Text.Json;
using Switchboard.Protocol;
using Switchboard.Brokers;

namespace Switchboard.Server.Internal;

/// <summary>
/// One <c>history</c> answer: the publications asked for, oldest first, cut to what fits the outgoing queue, and
/// <c>"more": true</c> when later publications follow (the client asks again with <c>since</c> = the last one's
/// position). See docs/protocol.md, "History".
/// </summary>
/// <param name="History">What the broker read.</param>
/// <param name="Publications">The part of it that is sent.</param>
internal sealed record HistoryPage(HistoryResult History, IReadOnlyList<Publication> Publications)
{
    /// <summary>Whether publications after the last one sent exist (in history or not).</summary>
    public bool More => History.Complete && Publications.Count > 0 && Publications[^1].Offset < History.Position.Offset
        && Publications[^1].Epoch == History.Position.Epoch;

    /// <summary>The longest head of <paramref name="history"/>'s publications that fits half of <paramref name="queueLimit"/>.</summary>
    public static HistoryPage Cut(HistoryResult history, long queueLimit)
    {
        var all = history.Publications;
        var fitting = RecoveryBudget.CountFitting(all, queueLimit);
        return new HistoryPage(history, fitting == all.Count ? all : all.Take(fitting).ToArray());
    }

    /// <summary>Writes the result body: <c>publications</c>, <c>offset</c>, <c>epoch</c>, and <c>more</c> or <c>recovered: false</c>.</summary>
    public static void Write(Utf8JsonWriter w, HistoryPage page)
    {
        MessageWriter.WritePublications(w, page.Publications);
        MessageWriter.WritePosition(w, page.History.Position);
        if (!page.History.Complete)
        {
            w.WriteBoolean("recovered", false);
        }
        else if (page.More)
        {
            w.WriteBoolean("more", true);
        }
    }
}
