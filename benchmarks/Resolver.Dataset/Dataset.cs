using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Resolver.Core.Records;
using Proto = Resolver.Protocol.V1;

namespace Resolver.Dataset;

/// <summary>
/// The benchmark dataset, a pure function of its shape: identifier <c>i</c> (0 ≤ i &lt; <see cref="Count"/>) is
/// <c>88.100.{i % Prefixes + 1}/item-{i:D9}</c> with three public text values of about <see cref="ValueBytes"/> UTF-8 bytes
/// each (a URL, a batch description, a specification). Everything that serves it (the stores, the baseline, Redis, the DNS
/// zone) derives the same records from the same shape, so no file has to travel between them.
/// </summary>
/// <param name="Count">Identifiers (default 1,000,000).</param>
/// <param name="Prefixes">Enterprise prefixes they are spread over, each homed (default 1,000).</param>
/// <param name="ValueBytes">About how many bytes each of the three values holds (default 200).</param>
public sealed record Dataset(int Count = 1_000_000, int Prefixes = 1_000, int ValueBytes = 200)
{
    /// <summary>When every record was created: fixed, so every export is byte-for-byte reproducible.</summary>
    public static readonly DateTimeOffset Created = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The enterprise prefix of enterprise code <paramref name="enterprise"/> (1-based).</summary>
    public static string Prefix(int enterprise) => string.Create(CultureInfo.InvariantCulture, $"88.100.{enterprise}");

    /// <summary>Identifier number <paramref name="i"/>; lower-case ASCII, so it is its own canonical key.</summary>
    public string Identifier(int i) => string.Create(CultureInfo.InvariantCulture, $"88.100.{(i % Prefixes) + 1}/item-{i:D9}");

    /// <summary>The record identifier <paramref name="i"/> resolves to, as the store holds it.</summary>
    public HandleRecord Record(int i)
    {
        var identifier = Identifier(i);
        return new HandleRecord(identifier, identifier, 1,
        [
            Value(1, "URL", Padded($"https://e{(i % Prefixes) + 1}.example.com/items/item-{i:D9}?view=full&lang=en&pad=")),
            Value(2, "batch", Padded($"batch {i / 1000:D6}; line 3; shift B; produced 2026-01-01; inspector 0042; notes: ")),
            Value(3, "spec", Padded($"spec v2; material steel S355; tolerance 0.05 mm; surface Ra 1.6; ref doc 88.100.1/spec-{i % 97:D4}; ")),
        ], Created, Created);
    }

    /// <summary>
    /// The Resolution answer's record for identifier <paramref name="i"/>: the message a caller allowed to see all values
    /// receives, field for field what the server's mapping (Resolver.Server.Api.ProtoMapper) produces from <see cref="Record"/>.
    /// </summary>
    public Proto.Record Answer(int i)
    {
        var record = Record(i);
        var message = new Proto.Record
        {
            Identifier = record.Identifier,
            Version = record.Version,
            CreatedAt = Timestamp.FromDateTimeOffset(record.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(record.UpdatedAt),
        };
        foreach (var value in record.Values)
        {
            message.Values.Add(new Proto.Value
            {
                Index = value.Index,
                Type = value.Type,
                Data = new Proto.ValueData { Text = value.Data.Text },
                Ttl = value.Ttl,
                Timestamp = Timestamp.FromDateTimeOffset(value.Timestamp),
                Permissions = new Proto.Permissions { AdminRead = true, AdminWrite = true, PublicRead = true },
            });
        }

        return message;
    }

    /// <summary>The encoded <see cref="Answer"/>: the value the peers store under the identifier's key, so they move the same bytes.</summary>
    public byte[] AnswerBytes(int i) => Answer(i).ToByteArray();

    private string Padded(string text)
    {
        var builder = new StringBuilder(text, ValueBytes);
        for (var n = 0; builder.Length < ValueBytes; n++)
        {
            builder.Append((char)('a' + (n % 26)));
        }

        return builder.ToString();
    }

    private static HandleValue Value(int index, string type, string text) =>
        new(index, type, ValueData.FromText(text), HandleValue.DefaultTtl, Created, ValuePermissions.Default, []);
}
