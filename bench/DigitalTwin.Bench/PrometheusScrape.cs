using System.Globalization;
using System.Text;

namespace DigitalTwin.Bench;

/// <summary>
/// One scrape of a silo's <c>/metrics</c> (Prometheus text format), parsed into samples. Only what the Kafka scenarios
/// read: sums of counters and gauges over label filters, and histograms as cumulative buckets.
/// </summary>
public sealed class PrometheusScrape
{
    private readonly List<Sample> _samples;

    private PrometheusScrape(List<Sample> samples) => _samples = samples;

    public static PrometheusScrape Empty { get; } = new([]);

    public IReadOnlyList<Sample> Samples => _samples;

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (TryParse(line) is { } sample)
            {
                samples.Add(sample);
            }
        }

        return new PrometheusScrape(samples);
    }

    /// <summary>Samples named <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    public IEnumerable<Sample> Find(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    public double Sum(string name, params (string Key, string Value)[] labels) => Find(name, labels).Sum(s => s.Value);

    public int Count(string name, params (string Key, string Value)[] labels) => Find(name, labels).Count();

    /// <summary>A histogram's cumulative buckets (upper edge, count at or below it), merged over matching series.</summary>
    public HistogramBuckets Histogram(string baseName, params (string Key, string Value)[] labels)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var sample in Find(baseName + "_bucket", labels))
        {
            if (sample.Labels.TryGetValue("le", out var le))
            {
                var edge = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
                buckets[edge] = buckets.GetValueOrDefault(edge) + sample.Value;
            }
        }

        return new HistogramBuckets(
            [.. buckets.Select(b => (b.Key, b.Value))],
            Sum(baseName + "_sum", labels),
            Sum(baseName + "_count", labels));
    }

    /// <summary>Several silos' histograms as one.</summary>
    public static HistogramBuckets Merge(IEnumerable<HistogramBuckets> histograms)
    {
        var all = histograms.ToList();
        var edges = all.SelectMany(h => h.Buckets.Select(b => b.UpperEdge)).Distinct().Order().ToList();
        var merged = edges.Select(e => (e, all.Sum(h => h.CountAtOrBelow(e)))).ToList();
        return new HistogramBuckets(merged, all.Sum(h => h.Sum), all.Sum(h => h.Count));
    }

    private static Sample? TryParse(string line)
    {
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return null;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        string name;
        int rest;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            rest = ParseLabels(line, brace + 1, labels);
            if (rest < 0)
            {
                return null;
            }
        }
        else
        {
            name = line[..space];
            rest = space;
        }

        // "value" or "value timestamp".
        var fields = line[rest..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0)
        {
            return null;
        }

        var value = fields[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN,
        };
        return new Sample(name, labels, value);
    }

    /// <returns>The index after the closing brace, or -1 when the labels are malformed.</returns>
    private static int ParseLabels(string line, int at, Dictionary<string, string> labels)
    {
        while (at < line.Length)
        {
            if (line[at] == '}')
            {
                return at + 1;
            }

            if (line[at] is ',' or ' ')
            {
                at++;
                continue;
            }

            var equals = line.IndexOf('=', at);
            if (equals < 0 || equals + 1 >= line.Length || line[equals + 1] != '"')
            {
                return -1;
            }

            var key = line[at..equals];
            var value = new StringBuilder();
            var i = equals + 2;
            for (; i < line.Length && line[i] != '"'; i++)
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }
            }

            labels[key] = value.ToString();
            at = i + 1;
        }

        return -1;
    }

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}

/// <summary>A Prometheus histogram: cumulative counts per upper edge (the last is +Inf), the sum and the count.</summary>
public sealed record HistogramBuckets(IReadOnlyList<(double UpperEdge, double Cumulative)> Buckets, double Sum, double Count)
{
    public double? Mean => Count > 0 ? Sum / Count : null;

    /// <summary>What was recorded after <paramref name="earlier"/>, a scrape of the same histogram taken before.</summary>
    public HistogramBuckets Minus(HistogramBuckets earlier) => new(
        [.. Buckets.Select(b => (b.UpperEdge, b.Cumulative - earlier.CountAtOrBelow(b.UpperEdge)))],
        Sum - earlier.Sum,
        Count - earlier.Count);

    public double CountAtOrBelow(double edge)
    {
        var count = 0.0;
        foreach (var (upper, cumulative) in Buckets)
        {
            if (upper > edge)
            {
                break;
            }

            count = cumulative;
        }

        return count;
    }

    /// <summary>
    /// The bucket the quantile falls in, and an estimate inside it by linear interpolation (what PromQL's
    /// <c>histogram_quantile</c> does): the histogram knows no more than the bucket.
    /// </summary>
    public QuantileEstimate? Quantile(double q)
    {
        if (Count <= 0 || Buckets.Count == 0)
        {
            return null;
        }

        var rank = q * Count;
        var lower = 0.0;
        var below = 0.0;
        foreach (var (upper, cumulative) in Buckets)
        {
            if (cumulative >= rank)
            {
                if (double.IsPositiveInfinity(upper))
                {
                    // Above the last finite edge: the histogram cannot say how far.
                    return new QuantileEstimate(lower, null, lower);
                }

                var inBucket = cumulative - below;
                var estimate = inBucket > 0 ? lower + ((upper - lower) * (rank - below) / inBucket) : upper;
                return new QuantileEstimate(lower, upper, estimate);
            }

            lower = upper;
            below = cumulative;
        }

        return null;
    }

    public string Describe() => string.Join(", ", Buckets
        .Select((b, i) => (b.UpperEdge, Count: b.Cumulative - (i > 0 ? Buckets[i - 1].Cumulative : 0)))
        .Where(b => b.Count > 0)
        .Select(b => string.Create(CultureInfo.InvariantCulture, $"<= {(double.IsPositiveInfinity(b.UpperEdge) ? "+Inf" : b.UpperEdge.ToString("0.###", CultureInfo.InvariantCulture))}: {b.Count:0}")));
}

/// <param name="Lower">Lower edge of the bucket the quantile falls in.</param>
/// <param name="Upper">Its upper edge; null above the last finite one.</param>
/// <param name="Estimate">Linear interpolation inside the bucket (the lower edge when above the last finite one).</param>
public sealed record QuantileEstimate(double Lower, double? Upper, double Estimate);
