using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Resolver.Cli.Commands;
using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Templates;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Templates;

/// <summary>One published version of a template as its record holds it: the value's index, the definition and its stored text.</summary>
internal sealed record TemplateVersion(int Index, TemplateDefinition Definition, string Text)
{
    public int Number => Definition.Version;

    /// <summary>The item governing values of <paramref name="type"/>, ignoring ASCII case as types are compared.</summary>
    public TemplateItem? ItemOf(string type) =>
        Definition.Items.FirstOrDefault(item => string.Equals(item.Code, type, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// A template's record read by the CLI (docs/templates.md): its published versions (<see cref="TemplateTypes.Definition"/>
/// values) and which are deprecated (<see cref="TemplateTypes.Deprecated"/> values). Definitions the CLI cannot compile are
/// left out, as the server leaves them out of the versions a record may declare.
/// </summary>
internal sealed class PublishedTemplate
{
    private static readonly TemplateCompiler Compiler = new(IdentifierParser.Default);

    private PublishedTemplate(Record record, IReadOnlyList<TemplateVersion> versions, IReadOnlyList<string> deprecations)
    {
        Record = record;
        Versions = versions;
        Deprecations = deprecations;
    }

    public Record Record { get; }

    /// <summary>The published versions, lowest first.</summary>
    public IReadOnlyList<TemplateVersion> Versions { get; }

    /// <summary>The texts of the record's TEMPLATE_DEPRECATED values: version numbers, or <c>*</c> for all.</summary>
    public IReadOnlyList<string> Deprecations { get; }

    public TemplateVersion? Latest => Versions.Count == 0 ? null : Versions[^1];

    public TemplateVersion? Find(int version) => Versions.FirstOrDefault(v => v.Number == version);

    /// <summary>Whether new records may no longer declare <paramref name="version"/> (as the server's TemplateCatalog reads it).</summary>
    public bool IsDeprecated(int version) => Deprecations.Any(text => TemplateTypes.Deprecates(text, version));

    /// <summary>The lowest index the record does not use: where a new definition or deprecation goes (index 0 in an update would replace the value of its type instead).</summary>
    public int FreeIndex() => FreeIndexOf(Record);

    public static int FreeIndexOf(Record record)
    {
        var taken = record.Values.Select(v => v.Index).ToHashSet();
        var index = 1;
        while (taken.Contains(index))
        {
            index++;
        }

        return index;
    }

    /// <summary>Whether <paramref name="record"/> holds any template definition.</summary>
    public static bool IsTemplate(Record record) => record.Values.Any(v => string.Equals(v.Type, TemplateTypes.Definition, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads <paramref name="record"/>'s versions and deprecations.</summary>
    public static PublishedTemplate Of(Record record)
    {
        var versions = new List<TemplateVersion>();
        var deprecations = new List<string>();
        foreach (var value in record.Values)
        {
            if (value.Data?.KindCase != ValueData.KindOneofCase.Text)
            {
                continue;
            }

            if (string.Equals(value.Type, TemplateTypes.Definition, StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    versions.Add(new TemplateVersion(value.Index, Compiler.Compile(value.Data.Text).Definition, value.Data.Text));
                }
                catch (ResolverException)
                {
                    // Not a version this CLI can read (nor one the server lets records declare).
                }
            }
            else if (string.Equals(value.Type, TemplateTypes.Deprecated, StringComparison.OrdinalIgnoreCase))
            {
                deprecations.Add(value.Data.Text);
            }
        }

        return new PublishedTemplate(record, [.. versions.OrderBy(v => v.Number)], deprecations);
    }

    /// <summary>Checks a definition file's text as the server will (<see cref="TemplateCompiler"/>).</summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT <c>template-invalid</c>, every problem listed.</exception>
    public static TemplateDefinition Check(string json) => Compiler.Compile(json).Definition;

    /// <summary>
    /// Reads the template <paramref name="identifier"/> through resolution, so that a template under a delegated prefix is
    /// read from its site (by a recursive node, or by following the referral as <c>resolve</c> does).
    /// </summary>
    /// <exception cref="RpcException">The resolution's failure (NOT_FOUND when there is no such record), or NOT_FOUND
    /// (reason <c>template-not-found</c>) when the record holds no template definition.</exception>
    public static async Task<PublishedTemplate> ResolveAsync(CliContext context, string identifier, CancellationToken cancellationToken)
    {
        var request = new ResolveRequest { Identifier = identifier };
        request.Types_.Add(TemplateTypes.Definition);
        request.Types_.Add(TemplateTypes.Deprecated);
        var result = await context.Resolution.ResolveAsync(request, context.Call(cancellationToken)).ConfigureAwait(false);
        result = (await ResolveCommand.FollowAsync(context, [request], [result], follow: true, cancellationToken).ConfigureAwait(false))[0];
        if (result.Status is { Code: not 0 } status)
        {
            throw Failure((StatusCode)status.Code, status.Message, status.Problem?.Reason);
        }

        if (result.Record is not { } record || !IsTemplate(record))
        {
            throw Failure(StatusCode.NotFound, $"{identifier} is not a template: it holds no {TemplateTypes.Definition} value (publish one with resolver template publish FILE.json)", TemplateReasons.NotFound);
        }

        return Of(record);
    }

    /// <summary>A failure as the server would have answered it, reported by <see cref="CommandRunner"/> like any failed call.</summary>
    public static RpcException Failure(StatusCode code, string message, string? reason)
    {
        var trailers = new Metadata();
        if (!string.IsNullOrEmpty(reason))
        {
            trailers.Add("resolver-problem-bin", new Protocol.V1.Problem { Reason = reason, Position = -1 }.ToByteArray());
        }

        return new RpcException(new Status(code, message), trailers);
    }
}
