namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// A token provider scripted per call (1 for the first connection, then one per refresh or reconnect), which counts
/// its calls so that tests can tell a refresh on the same connection from a reconnect.
/// </summary>
public sealed class ScriptedTokens
{
    private readonly Func<int, ValueTask<string?>> _script;
    private int _calls;

    public ScriptedTokens(Func<int, ValueTask<string?>> script) => _script = script;

    public ScriptedTokens(Func<int, string?> script) => _script = call => ValueTask.FromResult(script(call));

    public int Calls => Volatile.Read(ref _calls);

    public Func<CancellationToken, ValueTask<string?>> Provider => _ => _script(Interlocked.Increment(ref _calls));

    public Task WaitForCallsAsync(int count, string what) => Wait.UntilAsync(() => Calls >= count, what);
}
