using System.CommandLine;
using Grpc.Core;
using Resolver.Core.Templates;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Templates;

/// <summary>
/// <c>--template IDENTIFIER[@VERSION]</c> of register and update: declares the record's template (a TEMPLATE value,
/// <c>IDENTIFIER@VERSION</c>) and lets values be given by item code, each taking its item's index and default permissions.
/// </summary>
internal sealed class TemplateOption
{
    public Option<string?> Template { get; } = new("--template")
    {
        Description = "declare the record's template, IDENTIFIER[@VERSION] (default: the highest version not deprecated); values of an item's code take its index (and the node makes a private item's values private)",
    };

    public void AddTo(Command command) => command.Options.Add(Template);

    /// <summary>
    /// Reads the template <paramref name="spec"/> names, gives each of <paramref name="values"/> whose type is an item code
    /// (ignoring case) and that has no index of its own the item's index (a repeatable item's first value only) and the
    /// item's code, and adds the TEMPLATE value at <paramref name="referenceIndex"/>. Permissions are left to the node, which
    /// gives a private item's values without any Handle's 1100 on every write path (TemplateValueDefaults).
    /// </summary>
    /// <returns>The version declared.</returns>
    /// <exception cref="RpcException">The template cannot be read, or has no such version (FAILED_PRECONDITION <c>template-not-found</c>, as the server would refuse it).</exception>
    public static async Task<TemplateReference> ApplyAsync(CliContext context, string spec, List<Value> values, int referenceIndex, int? ttl, CancellationToken cancellationToken)
    {
        // IDENTIFIER@VERSION when the text after the last '@' is a version; otherwise the whole text is the identifier.
        var (identifier, version) = TemplateReference.TryParse(spec, out var given) ? (given.Identifier, (int?)given.Version) : (spec, null);
        PublishedTemplate template;
        try
        {
            template = await PublishedTemplate.ResolveAsync(context, identifier, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException missing) when (missing.StatusCode == StatusCode.NotFound)
        {
            // A record declaring a template that is not there is refused as the server refuses it (docs/templates.md, Errors).
            throw PublishedTemplate.Failure(StatusCode.FailedPrecondition,
                $"template {identifier} is not published here or at its site: {missing.Status.Detail}; publish it first (resolver template publish FILE.json)",
                TemplateReasons.NotFound);
        }

        var chosen = version is { } number
            ? template.Find(number)
            : template.Versions.LastOrDefault(v => !template.IsDeprecated(v.Number)) ?? template.Latest;
        if (chosen is null)
        {
            throw PublishedTemplate.Failure(StatusCode.FailedPrecondition,
                $"template {template.Record.Identifier} has no published version {version}; its versions: {string.Join(", ", template.Versions.Select(v => v.Number))}",
                TemplateReasons.NotFound);
        }

        var placed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values)
        {
            if (chosen.ItemOf(value.Type) is not { } item)
            {
                continue;
            }

            value.Type = item.Code;
            if (value.Index == 0 && placed.Add(item.Code))
            {
                value.Index = item.Index;
            }
        }

        var reference = new TemplateReference(template.Record.Identifier, chosen.Number);
        var declaration = new Value { Index = referenceIndex, Type = TemplateTypes.Reference, Data = new ValueData { Text = reference.ToString() } };
        if (ttl is { } seconds)
        {
            declaration.Ttl = seconds;
        }

        values.Add(declaration);
        return reference;
    }

    /// <summary>The record's TEMPLATE reference as written, when it declares one.</summary>
    public static string? DeclaredBy(Record? record) =>
        record?.Values.FirstOrDefault(v => string.Equals(v.Type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase) && v.Data?.KindCase == ValueData.KindOneofCase.Text)?.Data.Text;
}
