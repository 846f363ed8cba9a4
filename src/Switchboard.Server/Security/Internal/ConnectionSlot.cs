namespace Switchboard.Server.Security.Internal;

/// <summary>The counters one connection holds in the <see cref="ConnectionLimiter"/>; disposing releases them all.</summary>
/// <remarks>Thread safety: owned by the connection's handler.</remarks>
internal sealed class ConnectionSlot : IDisposable
{
    private readonly ConnectionLimiter _limiter;
    private bool _total;
    private string? _address;
    private string? _user;
    private bool _pending;

    public ConnectionSlot(ConnectionLimiter limiter) => _limiter = limiter;

    public bool TryEnterTotal(int limit) => _total = _limiter.TryEnterTotal(limit);

    public bool TryEnterIp(string address, int limit)
    {
        if (!_limiter.TryEnterIp(address, limit))
        {
            return false;
        }

        _address = address;
        return true;
    }

    public bool TryEnterUser(string userId, int limit)
    {
        if (!_limiter.TryEnterUser(userId, limit))
        {
            return false;
        }

        _user = userId;
        return true;
    }

    public bool TryEnterPending(int limit) => _pending = _limiter.TryEnterPending(limit);

    public void ExitPending()
    {
        if (_pending)
        {
            _pending = false;
            _limiter.ExitPending();
        }
    }

    public void Dispose()
    {
        ExitPending();
        if (_total)
        {
            _total = false;
            _limiter.ExitTotal();
        }

        if (_address is not null)
        {
            _limiter.ExitIp(_address);
            _address = null;
        }

        if (_user is not null)
        {
            _limiter.ExitUser(_user);
            _user = null;
        }
    }
}
