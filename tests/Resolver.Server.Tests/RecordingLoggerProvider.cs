using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Resolver.Server.Tests;

/// <summary>Keeps every log entry a server writes, so a test can check what reached the log and at which level.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyCollection<Entry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _entries);

    public void Dispose()
    {
    }

    /// <summary>One entry: where it came from, its level, its text and whether it carried an exception.</summary>
    public sealed record Entry(string Category, LogLevel Level, string Message, bool HasException);

    private sealed class Recorder(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception is not null));
    }
}
