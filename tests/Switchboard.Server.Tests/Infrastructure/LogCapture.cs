using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Tests.Infrastructure;

/// <summary>
/// Collects what a test server logs, at every level, so a test can say what an input wrote to the log (how many
/// lines, at which level, with or without an exception). The test server turns logging off for every other provider.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Everything logged so far, in order.</summary>
    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    /// <summary>Adds a capture to <paramref name="services"/>; its rule is more specific than the server's "log nothing".</summary>
    public static LogCapture AddTo(IServiceCollection services)
    {
        var capture = new LogCapture();
        services.AddSingleton<ILoggerProvider>(capture);
        services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(LogCapture).FullName, null, LogLevel.Trace, null)));
        return capture;
    }

    /// <summary>Entries at <see cref="LogLevel.Warning"/> or above, or with an exception: what an operator is paged or scrolls for.</summary>
    public IReadOnlyList<LogEntry> Alarming => Entries.Where(e => e.Level >= LogLevel.Warning || e.Exception is not null).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._entries.Enqueue(new LogEntry(logLevel, eventId.Id, category, formatter(state, exception), exception));
    }
}

/// <summary>One logged line.</summary>
public sealed record LogEntry(LogLevel Level, int EventId, string Category, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {EventId} {Category}: {Message}{(Exception is null ? "" : " " + Exception.GetType().Name)}";
}
