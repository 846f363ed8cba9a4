using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// How much of a reply with publications fits the connection's outgoing queue. A reply larger than the queue limit
/// would close the connection as a slow consumer, and a client that asks again would be closed again, forever. So a
/// recovery that does not fit is answered <c>recovered: false</c>, and a <c>history</c> page is cut where it stops
/// fitting and says <c>more: true</c>; the client pages on with <c>since</c>.
/// </summary>
internal static class RecoveryBudget
{
    /// <summary>Whether all of <paramref name="publications"/> fit: half the queue, leaving room for what is already queued and for live publications.</summary>
    public static bool Fits(IReadOnlyList<Publication> publications, long queueLimit) =>
        CountFitting(publications, queueLimit) == publications.Count;

    /// <summary>How many of the first <paramref name="publications"/> fit in half the queue (at least one, when there is one).</summary>
    public static int CountFitting(IReadOnlyList<Publication> publications, long queueLimit)
    {
        var budget = queueLimit / 2;
        long total = 0;
        for (var i = 0; i < publications.Count; i++)
        {
            total += publications[i].Encoded.Length + 1;
            if (total > budget)
            {
                return Math.Max(i, 1);
            }
        }

        return publications.Count;
    }
}
