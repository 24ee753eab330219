namespace Resolver.Cli.Bench;

/// <summary>
/// Picks the identifier of each request: uniformly over the keys, or by Zipf's law with exponent s (key k, counted
/// from 1, is asked in proportion to 1/k^s: a few hot keys, a long tail, as real lookups go).
/// </summary>
internal sealed class KeyPicker
{
    private readonly string[] _keys;
    private readonly double[]? _cumulative;

    public KeyPicker(string[] keys, double zipfExponent)
    {
        _keys = keys;
        if (zipfExponent > 0)
        {
            _cumulative = new double[keys.Length];
            var sum = 0.0;
            for (var k = 0; k < keys.Length; k++)
            {
                sum += 1 / Math.Pow(k + 1, zipfExponent);
                _cumulative[k] = sum;
            }

            for (var k = 0; k < keys.Length; k++)
            {
                _cumulative[k] /= sum;
            }
        }
    }

    public int Count => _keys.Length;

    public string Next(Random random)
    {
        if (_cumulative is null)
        {
            return _keys[random.Next(_keys.Length)];
        }

        var index = Array.BinarySearch(_cumulative, random.NextDouble());
        return _keys[Math.Min(index < 0 ? ~index : index, _keys.Length - 1)];
    }

    /// <summary>The keys of a file (one identifier per line, blank lines skipped), or <paramref name="count"/> generated under <paramref name="prefix"/>: PREFIX/BENCH-0 … PREFIX/BENCH-(count-1).</summary>
    public static async Task<string[]> LoadAsync(FileInfo? file, string prefix, int count, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            return [.. Enumerable.Range(0, count).Select(i => $"{prefix}/BENCH-{i}")];
        }

        var lines = await File.ReadAllLinesAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        return [.. lines.Select(l => l.Trim()).Where(l => l.Length > 0)];
    }
}
