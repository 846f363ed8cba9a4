namespace Switchboard.Bench;

/// <summary>
/// CPU time of a process from /proc/PID/stat (user + system), so that a result can say which side was saturated:
/// 100 % of the one core a process is pinned to means that side limited the run.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux.

    /// <summary>CPU seconds used so far by <paramref name="pid"/>, or null when unreadable.</summary>
    public static double? Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Percent of one core used between two readings taken <paramref name="wallSeconds"/> apart.</summary>
    public static double? Percent(double? before, double? after, double wallSeconds) =>
        before is { } b && after is { } a && wallSeconds > 0 ? Math.Round((a - b) / wallSeconds * 100, 1) : null;
}
