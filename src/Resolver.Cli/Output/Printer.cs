using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Resolver.Protocol.V1;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Resolver.Cli.Output;

/// <summary>Prints answers: Spectre tables for people, protobuf JSON (one object per line) for scripts.</summary>
internal sealed class Printer(TextWriter output, OutputFormat format)
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

    private readonly Lazy<IAnsiConsole> _console = new(() => CreateConsole(output));

    public OutputFormat Format => format;

    /// <summary>In JSON mode, writes one message as one line.</summary>
    public void JsonLine(IMessage message) => output.WriteLine(Json.Format(message));

    /// <summary>
    /// In JSON mode, writes one message as one line with a top-level <c>"template"</c> member (the record's template,
    /// <c>IDENTIFIER@VERSION</c>) when <paramref name="template"/> is set; the message's own members are as protobuf writes them.
    /// </summary>
    public void JsonLine(IMessage message, string? template)
    {
        var json = Json.Format(message);
        if (template is not null && json.StartsWith('{'))
        {
            var member = $"\"template\": \"{JsonEncodedText.Encode(template, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";
            var rest = json[1..].TrimStart();
            json = rest.StartsWith('}') ? $"{{ {member} }}" : $"{{ {member}, {rest}";
        }

        output.WriteLine(json);
    }

    /// <summary>A plain line for people (table mode only).</summary>
    public void Line(string text) => output.WriteLine(text);

    /// <summary>The nodes asked for one answer, a row per hop (the first is the node the CLI asked).</summary>
    public void Trace(ResolveResult result, string server)
    {
        if (result.Trace.Count == 0)
        {
            output.WriteLine($"{result.Identifier}: answered by {server} from its own records (no delegation on the way)");
            return;
        }

        var table = new Table().AddColumns("Hop", "Node", "Prefix", "Status", "Cached", "ms");
        foreach (var (hop, i) in result.Trace.Select((hop, i) => (hop, i)))
        {
            table.AddRow(
                Markup.Escape((i + 1).ToString(CultureInfo.InvariantCulture)),
                Markup.Escape(hop.Endpoint.Length == 0 ? server : hop.Endpoint),
                Markup.Escape(hop.Prefix),
                Markup.Escape(ExitCodes.StatusName((Grpc.Core.StatusCode)hop.Code)),
                hop.Cached ? "yes" : "no",
                Markup.Escape(((hop.Elapsed?.ToTimeSpan() ?? TimeSpan.Zero).TotalMilliseconds).ToString("0.#", CultureInfo.InvariantCulture)));
        }

        output.WriteLine($"{result.Identifier}:");
        _console.Value.Write(table);
    }

    /// <summary>Records as one table: a row per value; <paramref name="typeLabel"/> may add to a value's type (e.g. its template item's name).</summary>
    public void Records(IReadOnlyList<Record> records, Func<Record, Value, string>? typeLabel = null)
    {
        var table = new Table().AddColumns("Identifier", "Index", "Type", "Data", "TTL", "Perms", "Version");
        foreach (var record in records)
        {
            if (record.Values.Count == 0)
            {
                table.AddRow(Cell(record.Identifier), Cell(""), Cell("(no values)"), Cell(""), Cell(""), Cell(""), Cell(Number(record.Version)));
            }

            foreach (var value in record.Values)
            {
                table.AddRow(
                    Cell(record.Identifier),
                    Cell(Number(value.Index)),
                    Cell(typeLabel?.Invoke(record, value) ?? value.Type),
                    Cell(DataText(value.Data)),
                    Cell(Number(value.Ttl)),
                    Cell(PermissionBits(value.Permissions)),
                    Cell(Number(record.Version)));
            }
        }

        _console.Value.Write(table);
    }

    /// <summary>Any rows under the given headers.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table().AddColumns([.. headers]);
        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(Cell)]);
        }

        _console.Value.Write(table);
    }

    /// <summary>A value's data as text: the text itself, or the bytes in hex.</summary>
    public static string DataText(ValueData? data) => data?.KindCase switch
    {
        ValueData.KindOneofCase.Text => data.Text,
        ValueData.KindOneofCase.Binary => "hex:" + Convert.ToHexString(data.Binary.Span),
        _ => "",
    };

    /// <summary>Handle's four-bit notation, e.g. 1110.</summary>
    public static string PermissionBits(Permissions? p) =>
        p is null ? "" : $"{Bit(p.AdminRead)}{Bit(p.AdminWrite)}{Bit(p.PublicRead)}{Bit(p.PublicWrite)}";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Time(Google.Protobuf.WellKnownTypes.Timestamp? time) =>
        time is null ? "" : time.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static char Bit(bool set) => set ? '1' : '0';

    // Text, not markup: identifiers and data may contain '[' and ']'.
    // Control characters are escaped so that data can never move the cursor or recolour the terminal.
    private static IRenderable Cell(string text) => new Text(Printable.Of(text));

    private static IAnsiConsole CreateConsole(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });

        // A pipe or file has no width; don't wrap long URLs at 80 columns there.
        console.Profile.Width = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected ? Console.WindowWidth : 240;
        return console;
    }
}
