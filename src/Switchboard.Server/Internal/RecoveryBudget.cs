using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// Whether a subscribe result with recovered publications fits the connection's outgoing queue. A result larger than
/// the queue limit would close the connection as a slow consumer, and the client, reconnecting to recover again,
/// would be closed again, forever. Such a recovery is answered <c>recovered: false</c> instead: the client reloads its
/// state with <c>history</c> and a <c>limit</c>, which it can size.
/// </summary>
internal static class RecoveryBudget
{
    /// <summary>Half the queue, leaving room for what is already queued and for live publications.</summary>
    public static bool Fits(IReadOnlyList<Publication> publications, long queueLimit)
    {
        var budget = queueLimit / 2;
        long total = 0;
        foreach (var publication in publications)
        {
            total += publication.Encoded.Length + 1;
            if (total > budget)
            {
                return false;
            }
        }

        return true;
    }
}
