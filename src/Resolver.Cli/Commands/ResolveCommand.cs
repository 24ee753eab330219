using System.CommandLine;
using System.Text;
using Grpc.Core;
using Resolver.Cli.Templates;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary>
/// <c>resolver resolve ID… | --file FILE [--type T]… [--index N]…</c>: one ID is a unary call; several go
/// in batches, answers printed in input order. The exit code is the first failing ID's.
/// </summary>
internal static class ResolveCommand
{
    // Within the server's default limits (ResolverLimits: 2,000 identifiers and 10,000 type and index filters per
    // request, all queries together), so one batch is never refused for its size or its filters.
    private const int BatchSize = 1000, BatchFilters = 10_000;

    // Identifiers of resolve --file sent but not answered yet: enough to keep the stream busy, few enough to stay small.
    private const int Window = 256;

    // Answers per table when resolve --file prints tables.
    private const int TableBlock = 100;

    public static Command Create(CommandRunner runner)
    {
        var ids = new Argument<string[]>("ID") { Description = "identifiers, e.g. 88.168.1/ABC-123", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "read identifiers from FILE, one per line ('-' for standard input); blank lines are skipped" };
        var types = new Option<string[]>("--type", "-t") { Description = "return only values of this type; 'URL.' also matches subtypes such as URL.pdf", AllowMultipleArgumentsPerToken = false };
        var indexes = new Option<int[]>("--index", "-i") { Description = "return only the value at this index" };
        var noRecursion = new Option<bool>("--no-recurse", "--no-recursion") { Description = "ask the node not to resolve delegated prefixes at their sites: it answers referrals, which the CLI follows itself (iterative resolution)" };
        var noFollow = new Option<bool>("--no-follow") { Description = "print referrals as answered instead of following them to their sites" };
        var trace = new Option<bool>("--trace") { Description = "show the nodes asked for each answer: endpoint, prefix, status, cached or not, time" };
        var language = TemplateCommand.LanguageOption();
        language.Description = "tables: beside each type an item of the record's template names, that item's name in zh or en (one more call per template)";
        var command = new Command("resolve", "resolve identifiers to their records") { ids, file, types, indexes, noRecursion, noFollow, trace, language };

        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var identifiers = parse.GetValue(ids) ?? [];
            var source = parse.GetValue(file);
            if (HandleCommands.IsHandle(context.Server))
            {
                return source is not null
                    ? context.InvalidInput("resolve --file streams over gRPC; against a Handle server (hdl://) give the identifiers as arguments")
                    : identifiers.Length == 0
                        ? context.InvalidInput("give at least one identifier, e.g. resolver resolve 88.168.1/ABC-123")
                        : await HandleCommands.ResolveAsync(context, identifiers, parse.GetValue(types) ?? [], parse.GetValue(indexes) ?? [], parse.GetValue(noRecursion), parse.GetValue(trace), cancellationToken).ConfigureAwait(false);
            }

            if (source is not null)
            {
                if (identifiers.Length > 0)
                {
                    return context.InvalidInput("give identifiers as arguments or with --file, not both");
                }

                return await ResolveFileAsync(context, source, parse.GetValue(types) ?? [], parse.GetValue(indexes) ?? [], parse.GetValue(noRecursion), cancellationToken).ConfigureAwait(false);
            }

            if (identifiers.Length == 0)
            {
                return context.InvalidInput("give at least one identifier, e.g. resolver resolve 88.168.1/ABC-123");
            }

            var requests = identifiers.Select(id => Request(id, parse.GetValue(types) ?? [], parse.GetValue(indexes) ?? [], parse.GetValue(noRecursion))).ToList();
            var how = new Answering(Follow: !parse.GetValue(noFollow), Trace: parse.GetValue(trace), Language: parse.GetValue(language)!);
            return requests.Count == 1
                ? await ResolveOneAsync(context, requests[0], how, cancellationToken).ConfigureAwait(false)
                : await ResolveManyAsync(context, requests, how, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ResolveOneAsync(CliContext context, ResolveRequest request, Answering how, CancellationToken cancellationToken)
    {
        try
        {
            var result = await context.Resolution.ResolveAsync(request, context.Call(cancellationToken)).ConfigureAwait(false);
            result = (await FollowAsync(context, [request], [result], how, cancellationToken).ConfigureAwait(false))[0];
            if (result.Status is { Code: not 0 } status)
            {
                return context.Report((StatusCode)status.Code, status.Message, result.Identifier, status.Problem?.Reason);
            }

            Print(context, [result], how.Trace, await ItemNamesAsync(context, [result], how.Language, cancellationToken).ConfigureAwait(false));
            return ExitCodes.Ok;
        }
        catch (RpcException exception)
        {
            return context.Report(exception, request.Identifier);
        }
    }

    // A node that does not recurse answers referrals; unless told not to, the CLI follows them to the records, all the
    // referrals of one batch together (one call per site per hop). Answers that are no referral come back as they were.
    private static Task<IReadOnlyList<ResolveResult>> FollowAsync(CliContext context, IReadOnlyList<ResolveRequest> requests, IReadOnlyList<ResolveResult> results, Answering how, CancellationToken cancellationToken) =>
        FollowAsync(context, requests, results, how.Follow, cancellationToken);

    /// <summary>The answers with their referrals followed to the records (unless <paramref name="follow"/> is false), in order.</summary>
    internal static async Task<IReadOnlyList<ResolveResult>> FollowAsync(CliContext context, IReadOnlyList<ResolveRequest> requests, IReadOnlyList<ResolveResult> results, bool follow, CancellationToken cancellationToken)
    {
        var referred = Enumerable.Range(0, results.Count).Where(i => results[i] is { Referral: not null, Status: null or { Code: 0 } }).ToList();
        if (referred.Count == 0 || !follow)
        {
            return results;
        }

        using var following = new ReferralFollowing(context);
        var followed = await following.FollowAsync([.. referred.Select(i => (requests[i], results[i]))], cancellationToken).ConfigureAwait(false);
        var answers = results.ToArray();
        foreach (var (i, answer) in referred.Zip(followed))
        {
            answers[i] = answer;
        }

        return answers;
    }

    // Batches of at most BatchSize identifiers whose type and index filters add up to at most BatchFilters (a query
    // with more goes alone: the server's per-query cap is lower, so it is refused for that, by name).
    private static IEnumerable<List<ResolveRequest>> Batches(List<ResolveRequest> requests)
    {
        var batch = new List<ResolveRequest>();
        var filters = 0;
        foreach (var request in requests)
        {
            var own = request.Types_.Count + request.Indexes.Count;
            if (batch.Count > 0 && (batch.Count == BatchSize || filters + own > BatchFilters))
            {
                yield return batch;
                batch = [];
                filters = 0;
            }

            batch.Add(request);
            filters += own;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static async Task<int> ResolveManyAsync(CliContext context, List<ResolveRequest> requests, Answering how, CancellationToken cancellationToken)
    {
        var exitCode = ExitCodes.Ok;
        foreach (var chunk in Batches(requests))
        {
            var batch = new BatchResolveRequest();
            batch.Requests.AddRange(chunk);
            var response = await context.Resolution.BatchResolveAsync(batch, context.Call(cancellationToken)).ConfigureAwait(false);
            var answers = await FollowAsync(context, chunk, response.Results, how, cancellationToken).ConfigureAwait(false);
            var found = new List<ResolveResult>();
            foreach (var result in answers)
            {
                if (result.Status is { Code: not 0 } status)
                {
                    var code = context.Report((StatusCode)status.Code, status.Message, result.Identifier, status.Problem?.Reason);
                    exitCode = exitCode == ExitCodes.Ok ? code : exitCode;
                }
                else
                {
                    found.Add(result);
                }
            }

            Print(context, found, how.Trace, await ItemNamesAsync(context, found, how.Language, cancellationToken).ConfigureAwait(false));
        }

        return exitCode;
    }

    // For tables: the name of each template item the records' values are of, by template reference and type, in
    // `language`; one read per template the records declare. A template that cannot be read leaves its types bare.
    private static async Task<Func<Record, Value, string>?> ItemNamesAsync(CliContext context, IReadOnlyList<ResolveResult> results, string language, CancellationToken cancellationToken)
    {
        if (context.Format == OutputFormat.Json)
        {
            return null;
        }

        var versions = new Dictionary<string, TemplateVersion?>(StringComparer.Ordinal);
        foreach (var declared in results.Select(r => TemplateOption.DeclaredBy(r.Record)).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (!Core.Templates.TemplateReference.TryParse(declared, out var reference))
            {
                continue;
            }

            try
            {
                versions[declared] = (await PublishedTemplate.ResolveAsync(context, reference.Identifier, cancellationToken).ConfigureAwait(false)).Find(reference.Version);
            }
            catch (RpcException)
            {
                versions[declared] = null;
            }
        }

        if (versions.Count == 0)
        {
            return null;
        }

        return (record, value) =>
            TemplateOption.DeclaredBy(record) is { } declared && versions.GetValueOrDefault(declared)?.ItemOf(value.Type)?.Names?.In(language) is { Length: > 0 } name
                ? $"{value.Type} ({name})"
                : value.Type;
    }

    private static void Print(CliContext context, IReadOnlyList<ResolveResult> results, bool showTrace, Func<Record, Value, string>? typeLabel = null)
    {
        if (context.Format == OutputFormat.Json)
        {
            foreach (var result in results)
            {
                // The status is implied (failures go to standard error); the rest is the answer.
                var answer = result.Clone();
                answer.Status = null;
                context.Printer.JsonLine(answer, TemplateOption.DeclaredBy(answer.Record));
            }
        }
        else if (results.Count > 0)
        {
            if (results.Any(r => r.Record is not null))
            {
                context.Printer.Records([.. results.Where(r => r.Record is not null).Select(r => r.Record)], typeLabel);
            }

            foreach (var referral in results.Where(r => r.Referral is not null))
            {
                var prefix = referral.Referral.Prefix.Length == 0 ? "every prefix it does not know (its upstream)" : $"prefix {referral.Referral.Prefix}";
                context.Printer.Line($"{referral.Identifier}: referred to {string.Join(", ", referral.Referral.Endpoints)} for {prefix} (cache {referral.Referral.Ttl} s)");
            }

            if (showTrace)
            {
                foreach (var result in results)
                {
                    context.Printer.Trace(result, context.Server);
                }
            }
        }
    }

    // Whether referrals are followed to their sites, whether each answer's trace is shown, and the language of item names.
    private sealed record Answering(bool Follow, bool Trace, string Language);

    private static ResolveRequest Request(string identifier, string[] types, int[] indexes, bool noRecursion)
    {
        var request = new ResolveRequest { Identifier = identifier, NoRecursion = noRecursion };
        request.Types_.AddRange(types);
        request.Indexes.AddRange(indexes);
        return request;
    }

    /// <summary>
    /// <c>resolve --file</c>: identifiers stream to ResolveStream while answers stream back, at most <see cref="Window"/>
    /// unanswered at a time; the server answers in request order, so output keeps input order, and memory stays flat
    /// whatever the file's size. JSON answers are printed as they arrive; tables a block of answers at a time.
    /// </summary>
    private static async Task<int> ResolveFileAsync(CliContext context, FileInfo source, string[] types, int[] indexes, bool noRecursion, CancellationToken cancellationToken)
    {
        TextReader reader;
        try
        {
            // Strict UTF-8: a broken file is an error, not identifiers full of U+FFFD.
            var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
            reader = source.ToString() == "-"
                ? new StreamReader(Console.OpenStandardInput(), strict, detectEncodingFromByteOrderMarks: true)
                : new StreamReader(source.FullName, strict, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { Options = FileOptions.SequentialScan });
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return context.InvalidInput($"cannot read {source}: {exception.Message}");
        }

        using var window = new SemaphoreSlim(Window, Window);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = context.Resolution.ResolveStream(context.StreamCall(stop.Token));
        Exception? inputFailure = null;
        var sent = 0L;
        var sending = Task.Run(async () =>
        {
            try
            {
                using (reader)
                {
                    while (await reader.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
                    {
                        // The CLI trims input lines (the server never trims).
                        var identifier = line.Trim();
                        if (identifier.Length == 0)
                        {
                            continue;
                        }

                        await window.WaitAsync(stop.Token).ConfigureAwait(false);
                        Interlocked.Increment(ref sent);
                        await call.RequestStream.WriteAsync(Request(identifier, types, indexes, noRecursion), stop.Token).ConfigureAwait(false);
                    }
                }

                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or DecoderFallbackException)
            {
                inputFailure = exception;
                await stop.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or RpcException)
            {
                // The call ended: the answers' side has its status.
            }
        }, CancellationToken.None);

        var exitCode = ExitCodes.Ok;
        var answered = 0L;
        var block = new List<ResolveResult>();
        try
        {
            await foreach (var result in call.ResponseStream.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                window.Release();
                answered++;
                if (result.Status is { Code: not 0 } status)
                {
                    Flush(context, block);
                    var code = context.Report((StatusCode)status.Code, status.Message, result.Identifier, status.Problem?.Reason);
                    exitCode = exitCode == ExitCodes.Ok ? code : exitCode;
                    continue;
                }

                block.Add(result);
                if (context.Format == OutputFormat.Json || block.Count >= TableBlock)
                {
                    Flush(context, block);
                }
            }
        }
        catch (RpcException exception) when (inputFailure is null)
        {
            Flush(context, block);
            await sending.ConfigureAwait(false);
            var code = context.Report(exception);
            return exitCode == ExitCodes.Ok ? code : exitCode;
        }
        catch (RpcException)
        {
            // Cancelled because the file could not be read: said below.
        }

        Flush(context, block);
        await sending.ConfigureAwait(false);
        if (inputFailure is not null)
        {
            return context.InvalidInput(inputFailure is DecoderFallbackException
                ? $"{source} is not valid UTF-8 text; identifiers are read one per line as UTF-8"
                : $"cannot read {source}: {inputFailure.Message}");
        }

        return answered == 0 && Interlocked.Read(ref sent) == 0
            ? context.InvalidInput($"{source} has no identifiers: give one per line")
            : exitCode;
    }

    private static void Flush(CliContext context, List<ResolveResult> block)
    {
        if (block.Count > 0)
        {
            Print(context, block, showTrace: false);
            block.Clear();
        }
    }
}
