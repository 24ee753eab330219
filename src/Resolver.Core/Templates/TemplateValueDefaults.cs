using Resolver.Core.Records;
using Resolver.Core.Registry;
using Resolver.Core.Security;

namespace Resolver.Core.Templates;

/// <summary>
/// A template's <c>private</c> items on every write path (SPEC §6a, docs/templates.md): a value whose type is a private
/// item's code and whose draft gives no permissions is written private (Handle's 1100: admin read and write, no public
/// read), as <c>resolver register --template</c> does. The template is the one the write declares (a
/// <see cref="TemplateTypes.Reference"/> draft), else the one the record declares already, unless the write removes that
/// declaration. A template that is not published or not readable by the caller gives no defaults:
/// <see cref="TemplateValidator"/> refuses the record with the reason. One that cannot be read now (its site or the
/// store down) fails the call UNAVAILABLE, as it does for the validator: a default is never guessed public.
/// </summary>
public sealed class TemplateValueDefaults(TemplateCatalog catalog) : IValueDefaults
{
    /// <summary>What a private item's value gets: Handle's 1100.</summary>
    public const ValuePermissions Private = ValuePermissions.AdminRead | ValuePermissions.AdminWrite;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Func<string, ValuePermissions?>?>> ForAsync(Caller caller, IReadOnlyList<DraftedRecord> records, CancellationToken cancellationToken)
    {
        var declared = new TemplateReference?[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            // Only drafts without permissions take defaults: a write that gives them all needs no template read.
            if (records[i].Drafts.Any(d => d.Permissions is null && !TemplateTypes.IsExempt(d.Type)))
            {
                declared[i] = Declared(records[i]);
            }
        }

        var references = declared.OfType<TemplateReference>().ToHashSet();
        if (references.Count == 0)
        {
            return new Func<string, ValuePermissions?>?[records.Count];
        }

        var templates = await catalog.FindAsync(references, caller, cancellationToken).ConfigureAwait(false);
        var defaults = new Func<string, ValuePermissions?>?[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            if (declared[i] is { } reference && templates[reference].Template is { } template)
            {
                defaults[i] = type => template.ItemOf(type) is { Private: true } ? Private : null;
            }
        }

        return defaults;
    }

    // The template a write's own TEMPLATE draft names, else the one the live record declares; null when neither reads.
    private static TemplateReference? Declared(DraftedRecord record)
    {
        foreach (var draft in record.Drafts)
        {
            if (string.Equals(draft.Type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase))
            {
                return TemplateReference.TryParse(draft.Data.Text, out var named) ? named : null;
            }
        }

        // The record's declaration, unless the write removes it or puts another value at its index.
        var kept = record.Current is { IsDeleted: false } live
            ? live.Values.FirstOrDefault(v => string.Equals(v.Type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase))
            : null;
        if (kept is null || record.RemoveIndexes.Contains(kept.Index) || record.Drafts.Any(d => d.Index == kept.Index))
        {
            return null;
        }

        return TemplateReference.TryParse(kept.Data.Text, out var declared) ? declared : null;
    }
}
