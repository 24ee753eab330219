using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Resolver.Core.Templates;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Bulk;

/// <summary>
/// The secondary node's (SNMS) registration shape, one JSON object per line: <c>{"handle": "88.168.1/P-1", "templateVersion":
/// "1", "value": [{"index": 2001, "type": "manufacturer", "data": {"format": "string", "value": "ACME"}, "auth": ""}]}</c>
/// (teleinfo-dev/id-guide, docs/dev-tools/snms/v5/handle-operate.md). <c>import --format snms</c> reads it, <c>export
/// --format snms</c> writes it, so a secondary node's data moves over with its templates (docs/templates.md, "Moving from a
/// secondary node").
/// </summary>
internal static class SnmsFile
{
    /// <summary>
    /// The records of a file; a bad line fails its record and reading goes on. A record's template: its own TEMPLATE value
    /// when that reads <c>IDENTIFIER@VERSION</c> (as export writes it); otherwise its <c>templateVersion</c> (an integer, or
    /// <c>N.0</c>) under <paramref name="template"/>'s identifier, or <paramref name="template"/>'s own version when it
    /// gives one. The secondary node's own TEMPLATE values (its template version as text) give way to that reference.
    /// </summary>
    public static IAsyncEnumerable<ImportItem> ReadAsync(LineDecodingReader reader, string? template, CancellationToken cancellationToken) =>
        RecordFile.ReadLinesAsync(reader, (line, text) => Item(line, text, template), cancellationToken);

    private static ImportItem Item(long line, string text, string? template)
    {
        SnmsRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(text, SnmsJsonContext.Default.SnmsRecord);
        }
        catch (JsonException unreadable)
        {
            return Failed(line, "", $"not a record of the secondary node's shape {{handle, templateVersion, value: [{{index, type, data: {{format, value}}}}]}}: {Core.Errors.JsonProblem.Describe(unreadable)}");
        }

        if (record?.Handle?.Trim() is not { Length: > 0 } identifier)
        {
            return Failed(line, "", "the record has no handle");
        }

        if (record.Value is null)
        {
            // Never an empty record by accident (a misspelt "values" would otherwise wipe the record's values).
            return Failed(line, identifier, "the record has no value list (\"value\": [...]); give \"value\": [] for a record without values");
        }

        var request = new UpsertRecordRequest { Identifier = identifier };
        TemplateReference? declared = null;
        string? foreignTemplate = null;
        foreach (var value in record.Value)
        {
            if (value?.Type is not { Length: > 0 } type || value.Data is null)
            {
                return Failed(line, identifier, "a value has no type or no data");
            }

            if (!string.Equals(value.Data.Format ?? "string", "string", StringComparison.OrdinalIgnoreCase))
            {
                return Failed(line, identifier, $"value {value.Index} has data format {value.Data.Format}; only string is read (the secondary node's API carries strings)");
            }

            var data = value.Data.Value ?? "";
            if (string.Equals(type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase))
            {
                if (TemplateReference.TryParse(data, out var reference))
                {
                    declared = reference; // Resolver's own reference, as export writes it
                }
                else
                {
                    foreignTemplate = data;
                }

                continue; // the secondary node's own template value (its version as text) gives way to the reference
            }

            var imported = new Value { Index = value.Index, Type = type, Data = new ValueData { Text = data } };
            // Handle's four permission bits, as export writes them into the shape's reserved "auth"; any other auth (the
            // secondary node's "1" or "") leaves the default.
            if (value.Auth is { } auth && RecordFile.PermissionBits(auth) is { } permissions)
            {
                imported.Permissions = permissions;
            }

            if (value.Ttl is { } ttl)
            {
                imported.Ttl = ttl;
            }

            request.Values.Add(imported);
        }

        var templateVersion = record.TemplateVersion switch
        {
            { ValueKind: JsonValueKind.String } named => named.GetString(),
            { ValueKind: JsonValueKind.Number } number => number.GetRawText(),
            _ => null,
        };
        templateVersion = templateVersion is { Length: > 0 } ? templateVersion : foreignTemplate;
        if (declared is null && (templateVersion is { Length: > 0 } || template is not null))
        {
            if (Mapped(templateVersion, template, out declared) is { } why)
            {
                return Failed(line, identifier, why);
            }
        }

        if (declared is not null)
        {
            request.Values.Add(new Value { Index = TemplateTypes.ReferenceIndex, Type = TemplateTypes.Reference, Data = new ValueData { Text = declared.ToString() } });
        }

        return new ImportItem(line, identifier, request, []);
    }

    // IDENTIFIER@VERSION for a record whose templateVersion is `version`, given --template; or why it cannot be told.
    private static string? Mapped(string? version, string? template, out TemplateReference? reference)
    {
        reference = null;
        if (template is null)
        {
            return $"templateVersion \"{version}\" names a template of the secondary node: give --template IDENTIFIER (e.g. 88.168/TPL.PART) to declare it as IDENTIFIER@VERSION";
        }

        if (TemplateReference.TryParse(template, out var fixedVersion))
        {
            reference = fixedVersion;
            return null;
        }

        var number = version?.EndsWith(".0", StringComparison.Ordinal) == true ? version[..^2] : version;
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
        {
            return $"templateVersion \"{version}\" is not a version number: give --template {template}@VERSION to declare that version for every record";
        }

        reference = new TemplateReference(template, parsed);
        return null;
    }

    private static ImportItem Failed(long line, string identifier, string reason) => new(line, identifier, null, [(line, reason)]);

    /// <summary>One line for <paramref name="record"/>, or why it cannot be written (binary data or references, which the shape does not carry).</summary>
    public static (string? Line, string? Unfit) Line(Record record)
    {
        if (record.Values.FirstOrDefault(v => v.Data?.KindCase != Protocol.V1.ValueData.KindOneofCase.Text || v.References.Count > 0) is { } unfit)
        {
            return (null, $"value {unfit.Index} ({unfit.Type}) has binary data or references, which the secondary node's shape does not carry: export with --format jsonl");
        }

        var reference = record.Values.FirstOrDefault(v => string.Equals(v.Type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase));
        var version = reference is not null && TemplateReference.TryParse(reference.Data.Text, out var declared) ? declared.Version.ToString(CultureInfo.InvariantCulture) : "";
        // Permissions ride in the shape's reserved "auth" as Handle's four bits, and the TTL beside them, so that an export
        // imported again keeps private values private.
        var snms = new SnmsRecord(record.Identifier, JsonSerializer.SerializeToElement(version, SnmsJsonContext.Default.String),
            [.. record.Values.Select(v => new SnmsValue(v.Index, v.Type, new SnmsData("string", v.Data.Text), Output.Printer.PermissionBits(v.Permissions), v.HasTtl ? v.Ttl : null))]);
        return (JsonSerializer.Serialize(snms, SnmsJsonContext.Default.SnmsRecord), null);
    }
}

/// <summary>A record in the secondary node's registration shape.</summary>
internal sealed record SnmsRecord(string? Handle, JsonElement? TemplateVersion, IReadOnlyList<SnmsValue?>? Value);

/// <summary>
/// One value in the secondary node's shape. <c>auth</c> (reserved there) carries Handle's four permission bits when Resolver
/// writes it (<c>1110</c>); <c>ttl</c> is a Resolver addition.
/// </summary>
internal sealed record SnmsValue(int Index, string? Type, SnmsData? Data, string? Auth = null, int? Ttl = null);

/// <summary>A value's data: <c>format</c> is <c>string</c>, the only one the secondary node's API carries.</summary>
internal sealed record SnmsData(string? Format, string? Value);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(SnmsRecord))]
[JsonSerializable(typeof(string))]
internal sealed partial class SnmsJsonContext : JsonSerializerContext;
