using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Proto = Resolver.Protocol.V1;

namespace Resolver.Dataset;

/// <summary>
/// The dataset in the forms the peers of benchmarks/compare.sh read, so that every system compared serves the same
/// identifiers with values of the same size: Redis (the encoded answer under a numbered key), a DNS zone (the values as
/// the strings of one TXT record), pgbench scripts over the server's own records table, key files for
/// <c>resolver bench</c>, and pre-encoded gRPC request bodies for h2load.
/// </summary>
internal sealed class PeerExports(Dataset dataset)
{
    /// <summary>The DNS zone the identifiers are published under.</summary>
    public const string Zone = "id.resolver.test.";

    /// <summary>Every identifier, one per line (<c>resolver bench --keys</c>).</summary>
    public void Keys(TextWriter output)
    {
        for (var i = 0; i < dataset.Count; i++)
        {
            output.Write(dataset.Identifier(i));
            output.Write('\n');
        }
    }

    /// <summary>
    /// The <paramref name="count"/> hot identifiers, one per line: numbers 0, 1, 2, ..., one per enterprise prefix while
    /// there are prefixes left, the keys every "hot" case asks for.
    /// </summary>
    public void Hot(TextWriter output, int count)
    {
        foreach (var i in HotNumbers(count))
        {
            output.Write(dataset.Identifier(i));
            output.Write('\n');
        }
    }

    /// <summary>
    /// Redis's mass-insertion protocol (<c>redis-cli --pipe</c>): SET <c>r:{i:D12}</c> to the encoded answer of identifier i.
    /// The key names are the ones <c>redis-benchmark -r N</c> generates for <c>r:__rand_int__</c>, so it reads these records.
    /// </summary>
    public void Redis(Stream output)
    {
        var buffered = new BufferedStream(output, 1 << 16);
        for (var i = 0; i < dataset.Count; i++)
        {
            var key = Encoding.ASCII.GetBytes(RedisKey(i));
            var value = dataset.AnswerBytes(i);
            Ascii(buffered, "*3\r\n$3\r\nSET\r\n");
            Bulk(buffered, key);
            Bulk(buffered, value);
        }

        buffered.Flush();
    }

    /// <summary>The Redis key of identifier <paramref name="i"/>, as redis-benchmark's <c>__rand_int__</c> spells numbers.</summary>
    public static string RedisKey(int i) => string.Create(CultureInfo.InvariantCulture, $"r:{i:D12}");

    /// <summary>
    /// A zone file (RFC 1035 master format) serving each identifier as a TXT record of its three values at
    /// <c>{suffix}.{enterprise}.100.88.id.resolver.test.</c>: the prefix's segments reversed, as Handle-in-DNS and GS1 ONS name things.
    /// </summary>
    public void DnsZone(TextWriter output)
    {
        output.Write($"$ORIGIN {Zone}\n$TTL 86400\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n");
        for (var i = 0; i < dataset.Count; i++)
        {
            output.Write(DnsName(i));
            output.Write(" TXT");
            foreach (var value in dataset.Record(i).Values)
            {
                output.Write(" \"");
                output.Write(value.Data.Text!.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal));
                output.Write('"');
            }

            output.Write('\n');
        }
    }

    /// <summary>dnsperf's query file: the TXT names of the <paramref name="count"/> hot identifiers, or of all when null.</summary>
    public void DnsQueries(TextWriter output, int? count)
    {
        foreach (var i in count is { } hot ? HotNumbers(hot) : Enumerable.Range(0, dataset.Count))
        {
            output.Write(DnsName(i));
            output.Write('.');
            output.Write(Zone);
            output.Write(" TXT\n");
        }
    }

    /// <summary>
    /// A pgbench script reading <paramref name="batch"/> random identifiers from the server's records table with the
    /// server's own query shape (<c>key = ANY($1)</c>; one identifier: <c>key = $1</c>).
    /// </summary>
    public void PgbenchScript(TextWriter output, int batch)
    {
        var keys = new List<string>(batch);
        for (var n = 0; n < batch; n++)
        {
            output.Write($"\\set i{n} random(0, {dataset.Count - 1})\n");
            keys.Add($"'88.100.' || (:i{n} % {dataset.Prefixes} + 1) || '/item-' || lpad(:i{n}::text, 9, '0')");
        }

        const string Columns = "key, identifier, version, vals, created_at, updated_at, deleted_at";
        output.Write(batch == 1
            ? $"SELECT {Columns} FROM records WHERE key = {keys[0]};\n"
            : $"SELECT {Columns} FROM records WHERE key = ANY(ARRAY[{string.Join(", ", keys)}]);\n");
    }

    /// <summary>
    /// A gRPC request body as it travels (RFC 7540 DATA payload: 5-byte gRPC frame header + message), for h2load's
    /// <c>--data</c>: <c>unary</c> one ResolveRequest, <c>batch</c> a BatchResolveRequest, <c>stream</c> that many framed
    /// ResolveRequests in one body (one ResolveStream call), each over the <paramref name="count"/> hot identifiers.
    /// </summary>
    public void GrpcBody(Stream output, string mode, int count)
    {
        var requests = HotNumbers(count).Select(i => new Proto.ResolveRequest { Identifier = dataset.Identifier(i) }).ToList();
        switch (mode)
        {
            case "unary":
                Frame(output, requests[0]);
                break;
            case "batch":
                var batch = new Proto.BatchResolveRequest();
                batch.Requests.AddRange(requests);
                Frame(output, batch);
                break;
            case "stream":
                requests.ForEach(request => Frame(output, request));
                break;
            default:
                throw new ArgumentException($"unknown mode {mode}: give unary, batch or stream", nameof(mode));
        }
    }

    private IEnumerable<int> HotNumbers(int count) => Enumerable.Range(0, Math.Min(count, dataset.Count));

    private string DnsName(int i) => string.Create(CultureInfo.InvariantCulture, $"item-{i:D9}.{(i % dataset.Prefixes) + 1}.100.88");

    private static void Frame(Stream output, IMessage message)
    {
        Span<byte> header = stackalloc byte[5];
        header[0] = 0; // not compressed
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)message.CalculateSize());
        output.Write(header);
        message.WriteTo(output);
    }

    private static void Ascii(Stream output, string text) => output.Write(Encoding.ASCII.GetBytes(text));

    private static void Bulk(Stream output, byte[] data)
    {
        Ascii(output, string.Create(CultureInfo.InvariantCulture, $"${data.Length}\r\n"));
        output.Write(data);
        Ascii(output, "\r\n");
    }
}
