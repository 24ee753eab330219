using System.Globalization;

namespace Resolver.Server.Tests;

/// <summary>One scrape of a node's /metrics (Prometheus text format), summed by metric name and chosen labels.</summary>
internal sealed class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private PrometheusScrape()
    {
    }

    public static async Task<PrometheusScrape> ReadAsync(string httpAddress, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = new Uri(httpAddress) };
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken);
        var scrape = new PrometheusScrape();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith('#'))
            {
                scrape._samples.Add(Parse(line));
            }
        }

        return scrape;
    }

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels include <paramref name="labels"/> ("key=value" each).</summary>
    public double Sum(string name, params string[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l[..l.IndexOf('=')], out var v) && v == l[(l.IndexOf('=') + 1)..])).Sum(s => s.Value);

    /// <summary>True when any sample of <paramref name="name"/> was scraped.</summary>
    public bool Has(string name) => _samples.Any(s => s.Name == name);

    // name{a="x",b="y"} 12 (label values here never hold quotes or commas)
    private static (string, Dictionary<string, string>, double) Parse(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.LastIndexOf(' ');
        var name = brace < 0 ? line[..space] : line[..brace];
        if (brace >= 0)
        {
            var body = line[(brace + 1)..line.LastIndexOf('}')];
            foreach (var pair in body.Split("\",", StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                labels[pair[..equals]] = pair[(equals + 1)..].Trim('"');
            }
        }

        return (name, labels, double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
    }
}
