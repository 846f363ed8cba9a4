using System.Collections.Concurrent;

namespace Switchboard.Server.Internal;

/// <summary>
/// What the admin page shows of a node's traffic, read through the HTTP API's <c>info</c>: messages received from
/// clients, publications handed to local subscribers, closes by code and the most recent errors sent to clients.
/// A stopgap until the node's System.Diagnostics.Metrics instruments exist (issue 13); then <c>info</c> reads those.
/// </summary>
/// <remarks>Thread safety: every member may be called from any thread. The counters are striped by processor so that
/// the hot path never contends on one cache line.</remarks>
internal sealed class NodeTraffic
{
    private const int RecentErrorCount = 20;
    private readonly Stripe[] _in = new Stripe[Environment.ProcessorCount];
    private readonly Stripe[] _out = new Stripe[Environment.ProcessorCount];
    private readonly ConcurrentDictionary<int, long> _closes = new();
    private readonly Queue<RecentError> _errors = new();
    private readonly Lock _errorsGate = new();

    /// <summary>Messages received from clients (each command, valid or not).</summary>
    public long MessagesIn => Sum(_in);

    /// <summary>Publications queued to local subscribers (one per subscriber).</summary>
    public long MessagesOut => Sum(_out);

    public void Received() => Interlocked.Increment(ref _in[Stripe.Index(_in.Length)].Value);

    public void Delivered(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _out[Stripe.Index(_out.Length)].Value, count);
        }
    }

    /// <summary>A connection ended with <paramref name="code"/> (1006 when it ended without a close handshake).</summary>
    public void Closed(int code) => _closes.AddOrUpdate(code, 1, static (_, n) => n + 1);

    public void Error(string? command, string code, string message)
    {
        lock (_errorsGate)
        {
            if (_errors.Count == RecentErrorCount)
            {
                _errors.Dequeue();
            }

            _errors.Enqueue(new RecentError(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), command, code, message));
        }
    }

    public IReadOnlyList<KeyValuePair<int, long>> Closes => [.. _closes.OrderBy(static c => c.Key)];

    public IReadOnlyList<RecentError> RecentErrors
    {
        get
        {
            lock (_errorsGate)
            {
                return [.. _errors];
            }
        }
    }

    private static long Sum(Stripe[] stripes)
    {
        long total = 0;
        for (var i = 0; i < stripes.Length; i++)
        {
            total += Volatile.Read(ref stripes[i].Value);
        }

        return total;
    }

    /// <summary>An error sent to a client: when (unix ms), for which command type, its code and message.</summary>
    public readonly record struct RecentError(long Ts, string? Command, string Code, string Message);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 64)]
    private struct Stripe
    {
        [System.Runtime.InteropServices.FieldOffset(0)]
        public long Value;

        public static int Index(int length) => Thread.GetCurrentProcessorId() % length;
    }
}
