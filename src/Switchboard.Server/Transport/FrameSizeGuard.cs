namespace Switchboard.Server.Transport;

/// <summary>
/// Watches the bytes the platform's WebSocket reads from the connection and reports, as soon as a data frame's header
/// has arrived, that it declares a payload larger than the largest message accepted. The WebSocket still does all the
/// framing; this only follows frame boundaries (header, then that many payload bytes) to read each declared length.
/// </summary>
/// <remarks>
/// Why: <c>ManagedWebSocket</c> has no maximum message size and says nothing of a frame's declared length, so a header
/// announcing 2^62 bytes followed by silence would hold the receive loop until the heartbeat (python-websockets'
/// <c>max_size</c> and gorilla's <c>SetReadLimit</c> refuse such a header at once with 1009; so does this).
/// Thread safety: <see cref="Observe"/> is called by the one reader of the stream, in order; <see cref="OnExceeded"/>
/// may be set from another thread, and a handler set after the limit was passed is called at once.
/// </remarks>
internal sealed class FrameSizeGuard(int maxPayload)
{
    private Action? _onExceeded;
    private int _exceeded;
    private int _headerRead;
    private int _headerLength = 2;
    private int _opcode;
    private int _extendedLength;
    private ulong _length;
    private ulong _payloadLeft;

    /// <summary>The largest payload a data frame may declare.</summary>
    public int MaxPayload => maxPayload;

    /// <summary>Whether a data frame declared more than <see cref="MaxPayload"/>.</summary>
    public bool Exceeded => Volatile.Read(ref _exceeded) != 0;

    /// <summary>Called once when a data frame declares more than <see cref="MaxPayload"/> (at once if that happened already).</summary>
    public Action? OnExceeded
    {
        get => Volatile.Read(ref _onExceeded);
        set
        {
            // Full fences on both sides (here and in StartPayload): a handler set while the limit is being passed is
            // called by at least one of them (Close, its usual body, may be called twice).
            Interlocked.Exchange(ref _onExceeded, value);
            if (Volatile.Read(ref _exceeded) != 0)
            {
                value?.Invoke();
            }
        }
    }

    /// <summary>Follows <paramref name="read"/>, the next bytes the WebSocket read from the connection.</summary>
    public void Observe(ReadOnlySpan<byte> read)
    {
        while (!read.IsEmpty && _exceeded == 0)
        {
            if (_payloadLeft > 0)
            {
                var skip = (int)Math.Min(_payloadLeft, (ulong)read.Length);
                _payloadLeft -= (ulong)skip;
                read = read[skip..];
                continue;
            }

            ReadHeaderByte(read[0]);
            read = read[1..];
        }
    }

    private void ReadHeaderByte(byte value)
    {
        var index = _headerRead++;
        if (index == 0)
        {
            _opcode = value & 0x0F;
        }
        else if (index == 1)
        {
            var lengthCode = value & 0x7F;
            _extendedLength = lengthCode switch { 126 => 2, 127 => 8, _ => 0 };
            _length = lengthCode < 126 ? (ulong)lengthCode : 0;
            _headerLength = 2 + _extendedLength + ((value & 0x80) != 0 ? 4 : 0); // The masking key follows the length.
        }
        else if (index < 2 + _extendedLength)
        {
            _length = (_length << 8) | value; // Network byte order.
        }

        if (_headerRead == _headerLength)
        {
            StartPayload();
        }
    }

    private void StartPayload()
    {
        // Opcodes 0-7 are data frames (continuation, text, binary, reserved); control frames carry at most 125 bytes,
        // which the WebSocket itself enforces.
        if (_opcode < 8 && _length > (ulong)maxPayload)
        {
            Interlocked.Exchange(ref _exceeded, 1);
            OnExceeded?.Invoke();
            return;
        }

        _payloadLeft = _length;
        _headerRead = 0;
        _headerLength = 2;
    }
}
