using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Core.Storage;
using Resolver.Server.Configuration;

namespace Resolver.Server;

/// <summary>
/// Brings the store's schema up to date. On the embedded store before the server takes calls (a failure there is
/// the operator's to fix, and stops the server). On a shared store a node also starts while the database is down
/// (SPEC §10: under Kubernetes a pod started during a database incident must not crash-loop): it serves what the
/// shared cache holds, its registry reports NOT_SERVING, and it migrates by itself when the database answers.
/// </summary>
internal sealed partial class StoreMigration(
    IStoreSchema schema,
    IOptions<StoreOptions> options,
    IOptions<LimitOptions> limits,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<StoreMigration> logger) : BackgroundService
{
    /// <summary>The longest wait between two attempts while the database is down.</summary>
    public static readonly TimeSpan MaxRetryInterval = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the schema is up to date: until then the store is not ready.</summary>
    public bool IsMigrated => _migrated.Task.IsCompletedSuccessfully;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // When the store answers, the schema is up to date before the first call, as it always was.
            await schema.MigrateAsync(cancellationToken).ConfigureAwait(false);
            await EnsureKeysFormedAsStoredAsync(cancellationToken).ConfigureAwait(false);
            _migrated.TrySetResult();
            return;
        }
        catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable && !options.Value.IsEmbedded)
        {
            LogStoreDown(logger, schema.Description, exception.InnerException?.Message ?? exception.Message, 0.25);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = TimeSpan.FromMilliseconds(250);
        for (var attempt = 2; ; attempt++)
        {
            await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, MaxRetryInterval.Ticks));
            try
            {
                await schema.MigrateAsync(stoppingToken).ConfigureAwait(false);
                await EnsureKeysFormedAsStoredAsync(stoppingToken).ConfigureAwait(false);
                _migrated.TrySetResult();
                LogMigratedLate(logger, schema.Description, attempt);
                return;
            }
            catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
            {
                LogStoreDown(logger, schema.Description, exception.InnerException?.Message ?? exception.Message, wait.TotalSeconds);
            }
            catch (SettingsException contradiction)
            {
                // Serving with keys formed differently from the stored ones would answer the wrong records.
                LogContradiction(logger, contradiction.Message);
                lifetime.StopApplication();
                return;
            }
        }
    }

    /// <summary>Setting name under which the suffix case mode is pinned to the data.</summary>
    public const string SuffixCasePin = "suffix-case";

    // SPEC §10: settings that change how keys are formed are pinned to the data at first start; a node started with
    // a contradicting one would find other records under the same key, or none under their registered spelling.
    private async Task EnsureKeysFormedAsStoredAsync(CancellationToken cancellationToken)
    {
        var mode = limits.Value.CaseSensitiveSuffix ? "sensitive" : "insensitive";
        var pinned = await schema.PinAsync(SuffixCasePin, mode, cancellationToken).ConfigureAwait(false);
        if (pinned != mode)
        {
            var stored = pinned == "sensitive";
            throw new SettingsException(
                $"--case-sensitive-suffix is {(!stored).ToString().ToLowerInvariant()}, but the identifiers in {schema.Description} were registered with " +
                $"--case-sensitive-suffix {stored.ToString().ToLowerInvariant()}; start with --case-sensitive-suffix {stored.ToString().ToLowerInvariant()}, " +
                "or register the records again on a node with a new store (keys formed one way cannot be read the other way)");
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "The store {Store} is unavailable ({Reason}); serving from the caches, migrating when it answers (next try in {Seconds} s)")]
    private static partial void LogStoreDown(ILogger logger, string store, string reason, double seconds);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Critical, Message = "Stopping: {Reason}")]
    private static partial void LogContradiction(ILogger logger, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "The store {Store} answered; schema up to date after {Attempts} attempts")]
    private static partial void LogMigratedLate(ILogger logger, string store, int attempts);
}
