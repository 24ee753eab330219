namespace Resolver.Server;

/// <summary>The server's log messages, source-generated, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{Method} failed: {Reason}")]
    public static partial void StoreUnavailable(ILogger logger, string method, string reason, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "{Method} failed unexpectedly (error id {ErrorId})")]
    public static partial void UnexpectedFailure(ILogger logger, string method, string errorId, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "{Method} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string reason);

}
