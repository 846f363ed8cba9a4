namespace Switchboard.Host;

/// <summary>
/// Asks .NET's socket layer to run completions on its epoll threads instead of queueing each one to the thread pool
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, the runtime's own switch).
/// </summary>
/// <remarks>
/// The runtime reads the switch once, when the process makes its first asynchronous socket call, and only from the
/// environment; so it is set here, in the process's own environment, before the host (or the load generator) opens a
/// socket. A value the user set stays as it is. With it every received frame is handled without a thread-pool hop:
/// measured in docs/performance.md ("Socket completions on the I/O thread, A/B"), echo 29k against 22-25k round trips/s
/// and plain clients' fan-out p99 at 100 msgs/s 50-55 against 65-67 ms on one core. The price is the same as Kestrel's <c>UnsafePreferInlineScheduling</c>: code that blocks on
/// a receive path stalls the other sockets of its epoll thread, so it is only for processes that run code known not to
/// block (serve, bench), never forced on an application that embeds Switchboard.
/// </remarks>
internal static class SocketCompletions
{
    /// <summary>The runtime's environment variable.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on unless the environment already says either way; call before any socket I/O.</summary>
    /// <returns>Whether completions run inline (the value now in effect for this process's first socket).</returns>
    public static bool PreferInline()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }

        return IsInline();
    }

    /// <summary>Whether the environment turns inline completions on (the runtime's own reading of it).</summary>
    public static bool IsInline() => Environment.GetEnvironmentVariable(Variable) == "1";
}
