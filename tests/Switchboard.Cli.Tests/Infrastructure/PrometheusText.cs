using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.Cli.Tests.Infrastructure;

/// <summary>Reads samples from a Prometheus text exposition (what <c>/metrics</c> answers).</summary>
internal sealed partial class PrometheusText(string text)
{
    public string Text { get; } = text;

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels contain every one of <paramref name="labels"/> (<c>key="value"</c>); 0 when there are none.</summary>
    public double Sum(string name, params string[] labels)
    {
        double sum = 0;
        foreach (Match match in Sample().Matches(Text))
        {
            if (match.Groups["name"].Value == name && labels.All(l => match.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            {
                sum += double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    public bool Has(string name) => Sample().Matches(Text).Any(m => m.Groups["name"].Value == name);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})?\s+(?<value>[-+0-9.eE]+|NaN|\+Inf)(\s+\d+)?\s*$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
