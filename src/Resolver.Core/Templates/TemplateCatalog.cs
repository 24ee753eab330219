using System.Collections.Concurrent;
using Resolver.Core.Errors;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Core.Security;

namespace Resolver.Core.Templates;

/// <summary>
/// Finds the templates records declare. A template is a record like any other, so it is read through the resolution path
/// (<see cref="ResolutionService"/>): from this node's caches and store, or, under a delegated prefix on a recursive node,
/// from its site (SPEC §6a: a secondary node's template validates an enterprise node's registrations). Each definition's
/// text is compiled once and kept (published versions never change), so a record's check compiles nothing.
/// </summary>
public sealed class TemplateCatalog(ResolutionService resolution, TemplateCompiler compiler, ResolverLimits limits)
{
    // Compiled definitions by their exact text; bounded, since any writer may publish templates.
    private const int MaxCompiled = 256;
    private readonly ConcurrentDictionary<string, CompiledTemplate> _compiled = new(StringComparer.Ordinal);

    /// <summary>
    /// The versions <paramref name="references"/> name, read for <paramref name="caller"/> in one resolution batch: per
    /// reference, the compiled version and whether it is deprecated, or why it cannot be used.
    /// </summary>
    /// <exception cref="ResolverException">UNAVAILABLE when a template's store or site cannot be reached (the write is retried, not refused).</exception>
    public async ValueTask<IReadOnlyDictionary<TemplateReference, TemplateLookup>> FindAsync(
        IReadOnlyCollection<TemplateReference> references, Caller caller, CancellationToken cancellationToken)
    {
        var records = new Dictionary<string, ResolveOutcome>(StringComparer.Ordinal);
        foreach (var chunk in references.Select(r => r.Identifier).Distinct(StringComparer.Ordinal).Chunk(limits.MaxBatchSize))
        {
            var outcomes = await resolution.ResolveAsync([.. chunk.Select(id => new ResolveQuery(id, ValueFilter.All))], caller, cancellationToken).ConfigureAwait(false);
            foreach (var (identifier, outcome) in chunk.Zip(outcomes))
            {
                records[identifier] = outcome;
            }
        }

        var found = new Dictionary<TemplateReference, TemplateLookup>();
        foreach (var reference in references)
        {
            found[reference] = Lookup(reference, records[reference.Identifier]);
        }

        return found;
    }

    /// <summary>Compiles (or finds compiled) the definition whose stored text is <paramref name="text"/>.</summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT <c>template-invalid</c> (<see cref="TemplateCompiler.Compile(string)"/>).</exception>
    public CompiledTemplate Compile(string text)
    {
        if (_compiled.TryGetValue(text, out var compiled))
        {
            return compiled;
        }

        compiled = compiler.Compile(text);
        if (_compiled.Count >= MaxCompiled)
        {
            // Full: one entry makes room (not all: one busy writer must not evict every enterprise's templates).
            foreach (var old in _compiled.Keys)
            {
                _compiled.TryRemove(old, out _);
                break;
            }
        }

        return _compiled.GetOrAdd(text, compiled);
    }

    private TemplateLookup Lookup(TemplateReference reference, ResolveOutcome outcome)
    {
        if (outcome.Problem is { Kind: ErrorKind.Unavailable } outage)
        {
            throw new ResolverException(outage with { Message = $"template {reference.Identifier} cannot be read now: {outage.Message}" });
        }

        if (outcome.Referral is { } referral)
        {
            return TemplateLookup.Refused(new Problem(ErrorKind.FailedPrecondition, TemplateReasons.NotFound,
                $"template {reference.Identifier} is served by the site of {referral.Prefix} ({string.Join(", ", referral.Endpoints)}), and this node does not recurse, so it cannot read it: write at a recursive node or at the template's own"));
        }

        if (outcome.Record is not { } record)
        {
            return TemplateLookup.Refused(new Problem(ErrorKind.FailedPrecondition, TemplateReasons.NotFound,
                $"template {reference.Identifier} is not published here or at its site: {outcome.Problem?.Message ?? "no record"}; publish it first (resolver template publish FILE.json)"));
        }

        CompiledTemplate? match = null;
        var deprecated = false;
        var versions = new List<int>();
        foreach (var value in record.Values)
        {
            if (string.Equals(value.Type, TemplateTypes.Definition, StringComparison.OrdinalIgnoreCase) && value.Data.Text is { } text &&
                TemplateCompiler.ReadVersion(text) is { } version)
            {
                // Only the version asked for is compiled: the others' numbers are read without building their rules.
                versions.Add(version);
                try
                {
                    match = version == reference.Version ? Compile(text) : match;
                }
                catch (ResolverException)
                {
                    // A definition this node cannot compile (written by another implementation at a remote site) is not a version it can use.
                }
            }
            else if (string.Equals(value.Type, TemplateTypes.Deprecated, StringComparison.OrdinalIgnoreCase) &&
                value.Data.Text is { } which && TemplateTypes.Deprecates(which, reference.Version))
            {
                deprecated = true;
            }
        }

        return match is null
            ? TemplateLookup.Refused(new Problem(ErrorKind.FailedPrecondition, TemplateReasons.NotFound,
                $"template {reference.Identifier} has no published version {reference.Version}; its versions: {(versions.Count == 0 ? "none" : string.Join(", ", versions.Order()))}"))
            : new TemplateLookup(match, deprecated, null);
    }
}

/// <summary>A template version found for a record: compiled, or why not.</summary>
/// <param name="Template">The compiled version; null when <paramref name="Problem"/> is set.</param>
/// <param name="Deprecated">The template marks this version (or all) deprecated: no new records may declare it.</param>
/// <param name="Problem">Why the version cannot be used (FAILED_PRECONDITION <c>template-not-found</c>).</param>
public sealed record TemplateLookup(CompiledTemplate? Template, bool Deprecated, Problem? Problem)
{
    /// <summary>A version that cannot be used, and why.</summary>
    public static TemplateLookup Refused(Problem problem) => new(null, false, problem);
}
