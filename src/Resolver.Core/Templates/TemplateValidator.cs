using System.Globalization;
using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Records;
using Resolver.Core.Registry;
using Resolver.Core.Security;

namespace Resolver.Core.Templates;

/// <summary>
/// Templates in the write pipeline (SPEC §6a; docs/templates.md), for every write path at once since each goes through
/// <see cref="RecordWriter"/>. Two kinds of record are judged; any other is let through untouched:
/// <list type="bullet">
/// <item>A template's own record (it holds <see cref="TemplateTypes.Definition"/> values): each definition must compile and
/// name this record, each version appear once, and every version the record published before stay exactly as it was; the
/// record is never deleted (records at other nodes may declare it, and none can count them), only deprecated.</item>
/// <item>A record declaring a template (one <see cref="TemplateTypes.Reference"/> value, <c>IDENTIFIER@VERSION</c>): that
/// version must be published, not deprecated unless the record already declared it, and the record's values must conform
/// (<see cref="CompiledTemplate.Check"/>). An update keeps the version the record declares unless it replaces the reference.</item>
/// </list>
/// </summary>
public sealed class TemplateValidator(TemplateCatalog catalog, IdentifierParser parser) : IRecordValidator
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Problem?>> ValidateAsync(Caller caller, IReadOnlyList<RecordChange> changes, CancellationToken cancellationToken)
    {
        var problems = new Problem?[changes.Count];
        var declared = new (TemplateReference Reference, bool Kept)?[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            var (before, after) = (changes[i].Before, changes[i].After);
            TemplateReference? reference = null;
            problems[i] = CheckDefinitions(before, after) ?? Declaration(after, out reference);
            if (problems[i] is null && reference is not null)
            {
                declared[i] = (reference, before is { IsDeleted: false } && Declaration(before, out var old) is null && reference.Equals(old));
            }
        }

        var references = declared.Where(d => d is not null).Select(d => d!.Value.Reference).ToHashSet();
        if (references.Count == 0)
        {
            return problems;
        }

        var templates = await catalog.FindAsync(references, caller, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < changes.Count; i++)
        {
            if (declared[i] is not var (reference, kept))
            {
                continue;
            }

            var lookup = templates[reference];
            if (lookup.Problem is { } unusable)
            {
                problems[i] = unusable;
            }
            else if (lookup.Deprecated && !kept)
            {
                problems[i] = new Problem(ErrorKind.FailedPrecondition, TemplateReasons.Deprecated,
                    $"template {reference} is deprecated: new records may not declare it (records that already do keep it); use a newer version");
            }
            else if (lookup.Template!.Check(changes[i].After.Values) is { Count: > 0 } broken)
            {
                problems[i] = new Problem(ErrorKind.InvalidArgument, TemplateReasons.Violation,
                    $"{changes[i].After.Identifier} does not conform to template {reference}: {TemplateCompiler.Listed(broken)}");
            }
        }

        return problems;
    }

    // The record's template, from its one TEMPLATE value (null: it declares none), or why the declaration is unreadable.
    private static Problem? Declaration(HandleRecord record, out TemplateReference? reference)
    {
        reference = null;
        HandleValue? found = null;
        foreach (var value in record.Values)
        {
            if (string.Equals(value.Type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase))
            {
                if (found is not null)
                {
                    return Violation($"{record.Identifier} declares a template twice (values {found.Index} and {value.Index} have type {TemplateTypes.Reference}); a record has one template");
                }

                found = value;
            }
        }

        if (found is not null && !TemplateReference.TryParse(found.Data.Text, out reference))
        {
            return Violation($"{record.Identifier}: value {found.Index} of type {TemplateTypes.Reference} is {ItemDataTypes.Quote(found.Data.ToString())}, not IDENTIFIER@VERSION, e.g. 88.168/TPL.PART@1");
        }

        return null;
    }

    // A template's own record: its definitions compile and name it, each version once, and none published before changed.
    private Problem? CheckDefinitions(HandleRecord? before, HandleRecord after)
    {
        if (!HoldsDefinitions(after) && (before is null || !HoldsDefinitions(before)))
        {
            return null; // most writes: nothing here is a template's
        }

        var published = Definitions(before);
        if (after.IsDeleted && published.Count > 0)
        {
            // Records here and at other nodes may declare any published version, and no node can count them all.
            return new Problem(ErrorKind.FailedPrecondition, TemplateReasons.Immutable,
                $"template {after.Identifier} has published versions ({string.Join(", ", published.Keys.Order())}), which records here and at other nodes may declare; a published template is never deleted: deprecate it instead (resolver template deprecate {after.Identifier})");
        }

        var now = new Dictionary<int, string>();
        foreach (var value in after.Values)
        {
            if (!string.Equals(value.Type, TemplateTypes.Definition, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (value.Data.Text is not { } text)
            {
                return Invalid($"{after.Identifier}: value {value.Index} of type {TemplateTypes.Definition} is binary; a definition is JSON text (docs/templates.md)");
            }

            CompiledTemplate compiled;
            try
            {
                compiled = catalog.Compile(text);
            }
            catch (ResolverException invalid)
            {
                return invalid.Problem;
            }

            var definition = compiled.Definition;
            if (!parser.TryParse(definition.Identifier, out var named, out _) || !string.Equals(named.Key, after.Key, StringComparison.Ordinal))
            {
                return Invalid($"{after.Identifier}: value {value.Index} defines template {definition.Identifier}; a template's definitions are published at its own identifier");
            }

            if (now.Count >= TemplateCompiler.MaxVersions)
            {
                return Invalid($"template {after.Identifier} would hold more than {TemplateCompiler.MaxVersions} versions; deprecate old ones and publish the template anew under another identifier");
            }

            if (!now.TryAdd(definition.Version, text))
            {
                return new Problem(ErrorKind.FailedPrecondition, TemplateReasons.Immutable,
                    $"template {after.Identifier} would hold version {definition.Version} twice; publish a new version number instead");
            }
        }

        foreach (var (version, text) in published)
        {
            if (!now.TryGetValue(version, out var kept) || !string.Equals(kept, text, StringComparison.Ordinal))
            {
                return new Problem(ErrorKind.FailedPrecondition, TemplateReasons.Immutable,
                    $"template {after.Identifier} version {version.ToString(CultureInfo.InvariantCulture)} is published and cannot change or be removed; publish version {(published.Keys.Concat(now.Keys).Max() + 1).ToString(CultureInfo.InvariantCulture)} instead, or deprecate it (resolver template deprecate)");
            }
        }

        return null;
    }

    // The versions a record held as published, by version number (what did not compile then is not protected now).
    private Dictionary<int, string> Definitions(HandleRecord? record)
    {
        var definitions = new Dictionary<int, string>();
        foreach (var value in record is { IsDeleted: false } ? record.Values : [])
        {
            if (string.Equals(value.Type, TemplateTypes.Definition, StringComparison.OrdinalIgnoreCase) && value.Data.Text is { } text)
            {
                try
                {
                    definitions.TryAdd(catalog.Compile(text).Definition.Version, text);
                }
                catch (ResolverException)
                {
                }
            }
        }

        return definitions;
    }

    private static bool HoldsDefinitions(HandleRecord record) =>
        record.Values.Any(v => string.Equals(v.Type, TemplateTypes.Definition, StringComparison.OrdinalIgnoreCase));

    private static Problem Violation(string message) => new(ErrorKind.InvalidArgument, TemplateReasons.Violation, message);

    private static Problem Invalid(string message) => new(ErrorKind.InvalidArgument, TemplateReasons.Invalid, message);
}
