using System.CommandLine;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Resolver.Cli.Templates;
using Resolver.Core.Errors;
using Resolver.Core.Templates;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary>
/// <c>resolver template publish|show|list|deprecate</c>: industry metadata templates (SPEC §6a, docs/templates.md). A template
/// is a record holding one TEMPLATE_DEFINITION value per published version, so these are ordinary reads and writes of it.
/// </summary>
internal static class TemplateCommand
{
    public static Command Create(CommandRunner runner) =>
        new("template", "publish, show, list and deprecate industry metadata templates (docs/templates.md)")
        {
            Publish(runner),
            Show(runner),
            List(runner),
            Deprecate(runner),
        };

    /// <summary><c>--lang zh|en</c>: which of an item's names to show.</summary>
    public static Option<string> LanguageOption() => new Option<string>("--lang")
    {
        Description = "the language of template and item names: zh or en",
        DefaultValueFactory = _ => "en",
    }.AcceptOnlyFromAmong("zh", "en");

    private static Command Publish(CommandRunner runner)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "the template definition, JSON in UTF-8 (docs/templates.md; docs/examples/part-template.json)" };
        var command = new Command("publish", "check a template definition and publish it as a new version of its template's record (re-publishing the same version unchanged is a no-op)") { file };
        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            string json;
            try
            {
                json = await File.ReadAllTextAsync(path.FullName, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException or DecoderFallbackException)
            {
                return context.InvalidInput(unreadable is DecoderFallbackException ? $"{path} is not valid UTF-8 text" : $"cannot read {path}: {unreadable.Message}");
            }

            TemplateDefinition definition;
            try
            {
                definition = PublishedTemplate.Check(json);
            }
            catch (ResolverException invalid)
            {
                return context.Report(StatusCode.InvalidArgument, $"{path}: {invalid.Problem.Message}", null, invalid.Problem.Reason);
            }

            // Stored canonical, so that publishing the same file again (whatever its spacing) compares equal.
            var canonical = TemplateCompiler.Write(definition);
            var identifier = definition.Identifier;
            Record? existing;
            try
            {
                existing = await context.Registry.GetRecordAsync(new GetRecordRequest { Identifier = identifier }, context.Call(cancellationToken)).ConfigureAwait(false);
            }
            catch (RpcException missing) when (missing.StatusCode == StatusCode.NotFound)
            {
                existing = null;
            }

            var definitionValue = new Value { Type = TemplateTypes.Definition, Data = new ValueData { Text = canonical } };
            if (existing is null)
            {
                var create = new CreateRecordRequest { Identifier = identifier };
                create.Values.Add(definitionValue);
                await context.Registry.CreateRecordAsync(create, context.Call(cancellationToken)).ConfigureAwait(false);
                return Published(context, identifier, definition.Version, unchanged: false);
            }

            var template = PublishedTemplate.Of(existing);
            var same = template.Find(definition.Version);
            if (same is not null && TemplateCompiler.Write(same.Definition) == canonical)
            {
                return Published(context, existing.Identifier, definition.Version, unchanged: true);
            }

            // A new version goes at a free index. A changed published version is sent where it is, so that the server
            // refuses it (template-immutable) with the version to publish instead: the server is the judge, not the CLI.
            definitionValue.Index = same?.Index ?? template.FreeIndex();
            var update = new UpdateRecordRequest { Identifier = identifier, ExpectedVersion = existing.Version };
            update.Values.Add(definitionValue);
            await context.Registry.UpdateRecordAsync(update, context.Call(cancellationToken)).ConfigureAwait(false);
            return Published(context, existing.Identifier, definition.Version, unchanged: false);
        });
        return command;
    }

    private static int Published(CliContext context, string identifier, int version, bool unchanged)
    {
        if (context.Format == OutputFormat.Json)
        {
            context.Out.WriteLine(CliJson.Serialize(new TemplatePublished(identifier, version, unchanged ? true : null)));
        }
        else
        {
            context.Printer.Line(unchanged
                ? $"unchanged {identifier} version {version} (already published with this definition)"
                : $"published {identifier} version {version}");
        }

        return ExitCodes.Ok;
    }

    private static Command Show(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "the template's identifier, e.g. 88.168/TPL.PART" };
        var version = new Option<int?>("--version") { Description = "the version to show (default: the highest published)" };
        var language = LanguageOption();
        var command = new Command("show", "show a template version: its items and their rules (-o json: the definition exactly as published)") { id, version, language };
        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var template = await PublishedTemplate.ResolveAsync(context, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var shown = parse.GetValue(version) is { } number ? template.Find(number) : template.Latest;
            if (shown is null)
            {
                return context.Report(StatusCode.NotFound,
                    $"template {template.Record.Identifier} has no published version {parse.GetValue(version)}; its versions: {Versions(template)}", template.Record.Identifier, TemplateReasons.NotFound);
            }

            if (context.Format == OutputFormat.Json)
            {
                context.Out.WriteLine(shown.Text);
                return ExitCodes.Ok;
            }

            var lang = parse.GetValue(language)!;
            var definition = shown.Definition;
            context.Printer.Table(["Template", template.Record.Identifier],
            [
                ["name", definition.Names?.In(lang) ?? ""],
                ["names", $"zh: {definition.Names?.Zh ?? "-"}; en: {definition.Names?.En ?? "-"}"],
                ["industry", definition.Industry ?? ""],
                ["version", Number(definition.Version)],
                ["published versions", Versions(template)],
                ["deprecated", template.IsDeprecated(definition.Version) ? "yes: new records may not declare it" : "no"],
                ["extra items", definition.AllowExtraItems ? "allowed" : "refused"],
            ]);
            context.Printer.Table(["Index", "Code", "Name", "Data type", "Required", "Rules"],
                definition.Items.Select(item => (IReadOnlyList<string>)
                [
                    Number(item.Index), item.Code, item.Names?.In(lang) ?? "", item.DataType, item.Required ? "yes" : "no", Rules(item),
                ]));
            return ExitCodes.Ok;
        }, id);
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var prefix = new Option<string[]>("--prefix") { Description = "list the templates under this prefix (repeatable; default: every prefix the node homes)" };
        var language = LanguageOption();
        var command = new Command("list", "list the templates under prefixes: identifier, latest version, name, deprecated versions (reads every record under them)") { prefix, language };
        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var prefixes = parse.GetValue(prefix) is { Length: > 0 } given
                ? given
                : [.. (await context.Resolution.GetServerInfoAsync(new GetServerInfoRequest(), context.Call(cancellationToken)).ConfigureAwait(false)).HomedPrefixes];

            // A prefix's export includes its sub-prefixes, which the node may home too: one row per template.
            var templates = new SortedDictionary<string, PublishedTemplate>(StringComparer.Ordinal);
            foreach (var name in prefixes)
            {
                using var call = context.Registry.ExportRecords(new ExportRecordsRequest { Prefix = name }, context.StreamCall(cancellationToken));
                await foreach (var record in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (PublishedTemplate.IsTemplate(record))
                    {
                        templates[record.Identifier] = PublishedTemplate.Of(record);
                    }
                }
            }

            var lang = parse.GetValue(language)!;
            var summaries = templates.Values.Where(t => t.Latest is not null).Select(t => new TemplateSummary(
                t.Record.Identifier,
                t.Latest!.Number,
                [.. t.Versions.Select(v => v.Number)],
                t.Latest.Definition.Names,
                [.. t.Versions.Where(v => t.IsDeprecated(v.Number)).Select(v => v.Number)])).ToList();
            if (context.Format == OutputFormat.Json)
            {
                foreach (var summary in summaries)
                {
                    context.Out.WriteLine(CliJson.Serialize(summary));
                }
            }
            else if (summaries.Count == 0)
            {
                context.Printer.Line($"no templates under {string.Join(", ", prefixes)}");
            }
            else
            {
                context.Printer.Table(["Template", "Latest", "Versions", "Name", "Deprecated"], summaries.Select(s => (IReadOnlyList<string>)
                [
                    s.Identifier, Number(s.LatestVersion), string.Join(", ", s.Versions), s.Names?.In(lang) ?? "",
                    s.DeprecatedVersions.Count == 0 ? "no" : string.Join(", ", s.DeprecatedVersions),
                ]));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Deprecate(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "the template's identifier, e.g. 88.168/TPL.PART" };
        var version = new Option<int?>("--version") { Description = "the version to deprecate (default: every version, present and future)" };
        var command = new Command("deprecate", "stop new records from declaring a template version (records that declare it keep it)") { id, version };
        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var record = await context.Registry.GetRecordAsync(new GetRecordRequest { Identifier = parse.GetValue(id)! }, context.Call(cancellationToken)).ConfigureAwait(false);
            var template = PublishedTemplate.Of(record);
            if (template.Latest is null)
            {
                return context.Report(StatusCode.NotFound, $"{record.Identifier} is not a template: it holds no {TemplateTypes.Definition} value", record.Identifier, TemplateReasons.NotFound);
            }

            var which = parse.GetValue(version);
            if (which is { } number && template.Find(number) is null)
            {
                return context.Report(StatusCode.NotFound, $"template {record.Identifier} has no published version {number}; its versions: {Versions(template)}", record.Identifier, TemplateReasons.NotFound);
            }

            var text = which is { } n ? Number(n) : "*";
            var already = template.Deprecations.Any(d => d.Trim() == "*" || d.Trim() == text);
            if (!already)
            {
                // At a free index: index 0 would replace an earlier deprecation instead of adding this one.
                var update = new UpdateRecordRequest { Identifier = record.Identifier, ExpectedVersion = record.Version };
                update.Values.Add(new Value { Index = template.FreeIndex(), Type = TemplateTypes.Deprecated, Data = new ValueData { Text = text } });
                await context.Registry.UpdateRecordAsync(update, context.Call(cancellationToken)).ConfigureAwait(false);
            }

            if (context.Format == OutputFormat.Json)
            {
                context.Out.WriteLine(CliJson.Serialize(new TemplateDeprecated(record.Identifier, text, already ? true : null)));
            }
            else
            {
                var what = which is null ? $"every version of {record.Identifier}" : $"{record.Identifier} version {text}";
                context.Printer.Line(already ? $"unchanged: {what} was already deprecated" : $"deprecated {what}");
            }

            return ExitCodes.Ok;
        }, id);
        return command;
    }

    private static string Versions(PublishedTemplate template) =>
        template.Versions.Count == 0 ? "none" : string.Join(", ", template.Versions.Select(v => Number(v.Number)));

    /// <summary>An item's rules in one cell, e.g. <c>at most 64 characters; pattern [A-Z]+; private</c>.</summary>
    internal static string Rules(TemplateItem item)
    {
        var rules = new List<string>();
        if (item.Repeatable)
        {
            rules.Add("repeatable");
        }

        rules.Add((item.MinLength, item.MaxLength) switch
        {
            ({ } min, { } max) => $"{Number(min)} to {Number(max)} characters",
            ({ } min, null) => $"at least {Number(min)} characters",
            (null, { } max) => $"at most {Number(max)} characters",
            _ => "",
        });

        if (item.Min is { } least)
        {
            rules.Add($"min {least.ToString(CultureInfo.InvariantCulture)}");
        }

        if (item.Max is { } most)
        {
            rules.Add($"max {most.ToString(CultureInfo.InvariantCulture)}");
        }

        if (item.Scale is { } scale)
        {
            rules.Add($"scale {Number(scale)}");
        }

        // The server's defaults when the item names no format (ItemDataTypes), so the table never hides a rule.
        if ((item.Format ?? item.DataType switch { "date" => "yyyy-MM-dd", "datetime" => "ISO 8601", _ => null }) is { } format)
        {
            rules.Add($"format {format}");
        }

        if (item.Values is { } values)
        {
            rules.Add($"one of {string.Join(" | ", values)}");
        }

        if (item.Pattern is { } pattern)
        {
            rules.Add($"pattern {pattern}");
        }

        if (item.Private)
        {
            rules.Add("private");
        }

        return string.Join("; ", rules.Where(rule => rule.Length > 0));
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
