using System.Text;
using Switchboard.Brokers;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>Publishing straight into a broker, as the server itself (or its HTTP API) does: works while no host runs.</summary>
public static class Publish
{
    public static readonly HistoryPolicy History = new(10_000, TimeSpan.FromMinutes(10));

    public static async Task SeqAsync(IBroker broker, string channel, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await broker.PublishAsync(new PublishRequest(channel, Encoding.UTF8.GetBytes($"{{\"seq\":{i}}}"), null, null, History, TimeSpan.FromMinutes(2)), CancellationToken.None);
        }
    }

    /// <summary>The <c>seq</c> of each publication.</summary>
    public static List<int> Seqs(IEnumerable<Publication<System.Text.Json.JsonElement>> publications) =>
        [.. publications.Select(p => p.Data.GetProperty("seq").GetInt32())];
}
