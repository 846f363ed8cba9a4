using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Tests.Infrastructure;

/// <summary>
/// Counts the log events a test server writes, by event id, and keeps the last messages: the test server turns
/// logging off for every other provider, this one is let through by a rule of its own (<see cref="AddTo"/>).
/// </summary>
/// <remarks>Thread safety: loggers are called from many threads; the counts are concurrent.</remarks>
public sealed class LogCounter : ILoggerProvider
{
    private readonly ConcurrentDictionary<int, int> _counts = new();
    private readonly ConcurrentQueue<string> _recent = new();

    /// <summary>How many events were written in all.</summary>
    public int Total => _counts.Values.Sum();

    /// <summary>How many events with this id were written.</summary>
    public int Count(int eventId) => _counts.TryGetValue(eventId, out var n) ? n : 0;

    /// <summary>The last messages written (at most 50), for an assertion's message.</summary>
    public string Recent => string.Join('\n', _recent);

    /// <summary>
    /// Registers the counter with a test server's services, whatever the server's own filters say, at the levels
    /// <c>serve</c> writes by default: Switchboard's events from Information, everyone else's from Warning.
    /// </summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton<ILoggerProvider>(this);
        services.Configure<LoggerFilterOptions>(o =>
        {
            o.Rules.Add(new LoggerFilterRule(typeof(LogCounter).FullName, null, LogLevel.Warning, null));
            o.Rules.Add(new LoggerFilterRule(typeof(LogCounter).FullName, "Switchboard", LogLevel.Information, null));
        });
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Counting(this);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(int eventId, string message)
    {
        _counts.AddOrUpdate(eventId, 1, static (_, n) => n + 1);
        _recent.Enqueue($"{eventId}: {message}");
        while (_recent.Count > 50 && _recent.TryDequeue(out _))
        {
        }
    }

    private sealed class Counting(LogCounter counter) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            counter.Write(eventId.Id, formatter(state, exception));
    }
}
