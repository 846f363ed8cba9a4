using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Switchboard.Server.Internal;

/// <summary>
/// Caps Kestrel's concurrent connections below the process's open-file limit. A process that runs out of file
/// descriptors cannot open anything else either, and the .NET runtime then dies ("Out of memory.") when it next needs
/// to map a file, which lets a connection flood crash the server. With the cap, Kestrel closes connections over it at
/// once and the server keeps serving the ones it has. Applies only when the application set no limit itself.
/// </summary>
internal sealed class FileDescriptorBudget : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>
    /// Descriptors kept free for the process itself: a running server holds about 210 (each loaded assembly is an
    /// open file, most of them loaded only after startup), plus logs, pipes and the broker's connections.
    /// </summary>
    internal const int MinimumReserve = 384;

    public void Configure(KestrelServerOptions options)
    {
        // Kestrel stops counting a connection against MaxConcurrentConnections once it is upgraded, so WebSockets need
        // the upgraded limit; the plain one bounds connections still in their HTTP handshake.
        var budget = MaxConnections();
        options.Limits.MaxConcurrentConnections ??= budget;
        options.Limits.MaxConcurrentUpgradedConnections ??= budget;
    }

    /// <summary>The soft open-file limit minus a reserve (at least <see cref="MinimumReserve"/>, or a tenth); <see langword="null"/> where unknown.</summary>
    /// <remarks>Not "minus what is open now": options are read at start, before most assemblies are loaded.</remarks>
    internal static long? MaxConnections()
    {
        if (!OperatingSystem.IsLinux() || ReadSoftLimit() is not { } limit)
        {
            return null;
        }

        var reserve = Math.Max(MinimumReserve, limit / 10);
        return Math.Max(16, limit - reserve);
    }

    private static long? ReadSoftLimit()
    {
        try
        {
            // "Max open files            20000                20000                files"
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
