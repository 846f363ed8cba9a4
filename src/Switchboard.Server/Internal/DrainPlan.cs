namespace Switchboard.Server.Internal;

/// <summary>
/// How shutdown spreads its 1001 closes: in batches about every 100 ms over the first half of the drain time, so that
/// thousands of clients do not all reconnect to the remaining nodes in the same second; the second half leaves time
/// for close handshakes and in-flight commands.
/// </summary>
/// <param name="Batches">How many batches.</param>
/// <param name="BatchSize">Connections per batch (the last may have fewer).</param>
/// <param name="Interval">The pause between two batches.</param>
internal readonly record struct DrainPlan(int Batches, int BatchSize, TimeSpan Interval)
{
    private static readonly TimeSpan TargetInterval = TimeSpan.FromMilliseconds(100);

    public static DrainPlan Create(int connections, TimeSpan drainTimeout)
    {
        if (connections == 0)
        {
            return new DrainPlan(0, 0, TimeSpan.Zero);
        }

        var spread = drainTimeout / 2;
        var batches = (int)Math.Clamp(spread / TargetInterval, 1, connections);
        var size = (connections + batches - 1) / batches;
        batches = (connections + size - 1) / size;
        return new DrainPlan(batches, size, batches > 1 ? spread / batches : TimeSpan.Zero);
    }
}
