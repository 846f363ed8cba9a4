using System.Globalization;
using System.Net;
using System.Text;

namespace Switchboard.Bench;

/// <summary>
/// Writes <c>--report report.html</c>: the run's numbers, a latency histogram and a percentile plot per histogram, as
/// inline SVG in one self-contained page (no scripts, fonts or images from anywhere).
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
internal static class HtmlReport
{
    private const int Width = 720;
    private const int Height = 260;
    private const int Margin = 48;

    public static string Render(BenchReport report, string json)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>switchboard-bench ")
            .Append(Encode(report.Mode)).Append(' ').Append(Encode(report.Target)).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}svg{background:#fafafa;border:1px solid #ddd;margin:.5em 0}")
            .Append("pre{background:#f4f4f4;padding:1em;overflow:auto}text{font-size:11px;fill:#444}</style></head><body>");
        html.Append("<h1>switchboard-bench ").Append(Encode(report.Mode)).Append(" — ").Append(Encode(report.Target)).Append("</h1>");
        html.Append("<p>").Append(Encode(report.Url)).Append(", ").Append(report.Connections.ToString("N0", CultureInfo.InvariantCulture))
            .Append(" connections, load average ").Append(Encode(report.LoadAverageStart)).Append(" → ").Append(Encode(report.LoadAverageEnd)).Append("</p>");
        if (report.Cost is { } cost)
        {
            html.Append("<h2>Cost</h2><p>").Append(Invariant($"Server CPU per delivery at {cost.Rate:N0} msgs/s to {cost.Subscribers:N0} subscribers: "))
                .Append(cost.ServerCpuMicrosecondsPerDelivery is { } us ? Invariant($"{us:0.##} µs") : "unknown (no --pid)")
                .Append(Invariant($" over {cost.Deliveries:N0} deliveries; server memory per idle connection ({cost.Subscribers + cost.IdleConnections:N0}): "))
                .Append(cost.ServerKiBPerConnection is { } kib ? Invariant($"{kib:0.##} KiB") : "unknown (no --pid)").Append(".</p>");
        }

        foreach (var (title, histogram) in report.Histograms)
        {
            html.Append("<h2>").Append(Encode(title)).Append("</h2>");
            if (histogram.Count == 0)
            {
                html.Append("<p>No samples.</p>");
                continue;
            }

            html.Append("<h3>Latency histogram</h3>").Append(Histogram(histogram));
            html.Append("<h3>Latency by percentile</h3>").Append(PercentilePlot(histogram));
        }

        html.Append("<h2>Numbers</h2><pre>").Append(Encode(json)).Append("</pre></body></html>");
        return html.ToString();
    }

    /// <summary>Bars of sample counts over latency on a log axis (buckets merged into 60 columns).</summary>
    private static string Histogram(LatencyHistogram histogram)
    {
        var buckets = histogram.Buckets().ToList();
        var low = Math.Max(1, buckets[0].Low);
        var high = Math.Max(low * 2, buckets[^1].High + 1);
        const int columns = 60;
        var counts = new long[columns];
        var logLow = Math.Log10(low);
        var span = Math.Log10(high) - logLow;
        foreach (var (bucketLow, _, count) in buckets)
        {
            var column = (int)((Math.Log10(Math.Max(bucketLow, low)) - logLow) / span * columns);
            counts[Math.Clamp(column, 0, columns - 1)] += count;
        }

        var max = counts.Max();
        var svg = Svg();
        var plotWidth = Width - (2 * Margin);
        var plotHeight = Height - (2 * Margin);
        var barWidth = plotWidth / (double)columns;
        for (var i = 0; i < columns; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            var h = plotHeight * (double)counts[i] / max;
            svg.Append(Invariant($"<rect x=\"{Margin + (i * barWidth):F1}\" y=\"{Margin + plotHeight - h:F1}\" width=\"{barWidth - 1:F1}\" height=\"{h:F1}\" fill=\"#4a7bd0\"><title>{counts[i]} samples</title></rect>"));
        }

        Axes(svg, plotWidth, plotHeight);
        for (var decade = Math.Floor(logLow); decade <= Math.Log10(high); decade++)
        {
            if (decade < logLow)
            {
                continue;
            }

            var x = Margin + ((decade - logLow) / span * plotWidth);
            svg.Append(Invariant($"<text x=\"{x:F1}\" y=\"{Height - Margin + 16}\" text-anchor=\"middle\">{FormatMicros(Math.Pow(10, decade))}</text>"));
        }

        svg.Append(Invariant($"<text x=\"{Margin}\" y=\"{Margin - 8}\">max {max:N0} samples per column</text>"));
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Latency at each percentile, with the percentile axis stretched towards the tail (as HdrHistogram plots do).</summary>
    private static string PercentilePlot(LatencyHistogram histogram)
    {
        double[] percentiles = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100];
        var values = percentiles.Select(p => p >= 100 ? histogram.MaxMicroseconds : histogram.Percentile(Math.Max(p, 0.0001))).ToArray();
        var maxValue = Math.Max(1, values.Max());
        var plotWidth = Width - (2 * Margin);
        var plotHeight = Height - (2 * Margin);
        static double Stretch(double p) => -Math.Log10(Math.Max(1e-4, 1 - (p / 100.0)));
        var maxX = Stretch(99.99);
        var svg = Svg();
        Axes(svg, plotWidth, plotHeight);
        var points = new StringBuilder();
        for (var i = 0; i < percentiles.Length; i++)
        {
            var x = Margin + (Math.Min(Stretch(percentiles[i]), maxX) / maxX * plotWidth);
            var y = Margin + plotHeight - (values[i] / (double)maxValue * plotHeight);
            points.Append(Invariant($"{x:F1},{y:F1} "));
            svg.Append(Invariant($"<circle cx=\"{x:F1}\" cy=\"{y:F1}\" r=\"3\" fill=\"#d04a4a\"><title>p{percentiles[i]}: {FormatMicros(values[i])}</title></circle>"));
            if (percentiles[i] is 50 or 90 or 99 or 99.9 or 99.99)
            {
                svg.Append(Invariant($"<text x=\"{x:F1}\" y=\"{Height - Margin + 16}\" text-anchor=\"middle\">p{percentiles[i]}</text>"));
                svg.Append(Invariant($"<text x=\"{x + 4:F1}\" y=\"{y - 6:F1}\">{FormatMicros(values[i])}</text>"));
            }
        }

        svg.Append(Invariant($"<polyline points=\"{points}\" fill=\"none\" stroke=\"#d04a4a\" stroke-width=\"2\"/>"));
        svg.Append(Invariant($"<text x=\"{Margin}\" y=\"{Margin - 8}\">max {FormatMicros(maxValue)}</text>"));
        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Svg() =>
        new StringBuilder().Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\">"));

    private static void Axes(StringBuilder svg, int plotWidth, int plotHeight)
    {
        svg.Append(Invariant($"<line x1=\"{Margin}\" y1=\"{Margin + plotHeight}\" x2=\"{Margin + plotWidth}\" y2=\"{Margin + plotHeight}\" stroke=\"#888\"/>"));
        svg.Append(Invariant($"<line x1=\"{Margin}\" y1=\"{Margin}\" x2=\"{Margin}\" y2=\"{Margin + plotHeight}\" stroke=\"#888\"/>"));
    }

    private static string FormatMicros(double micros) =>
        micros >= 1000 ? Invariant($"{micros / 1000:0.##} ms") : Invariant($"{micros:0} µs");

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
