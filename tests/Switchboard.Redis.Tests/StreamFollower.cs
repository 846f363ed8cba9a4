using System.Text.Json.Nodes;

namespace Switchboard.Redis.Tests;

/// <summary>
/// A plain WebSocket client following one channel exactly as docs/protocol.md tells it: it remembers the last offset
/// and epoch, and on the gap notice (<c>unsubscribe</c> with <c>resubscribe: true</c>) it subscribes again with
/// <c>since</c>. It records what it got and every place where the stream did not follow without a word.
/// </summary>
internal sealed class StreamFollower(TestClient client, string channel)
{
    private long _offset;
    private string _epoch = string.Empty;

    /// <summary>The <c>data.n</c> of each publication received (live or recovered), in arrival order.</summary>
    public List<int> Data { get; } = [];

    /// <summary>Publications that did not follow the one before (offset + 1, same epoch) with no notice between.</summary>
    public List<string> SilentJumps { get; } = [];

    /// <summary>How many gap notices arrived.</summary>
    public int Notices { get; private set; }

    /// <summary>How many resubscribes answered <c>recovered: false</c> (the client had to reload).</summary>
    public int Reloads { get; private set; }

    public async Task SubscribeAsync()
    {
        var result = await client.SubscribeAsync(channel);
        _offset = result!["offset"]!.GetValue<long>();
        _epoch = result["epoch"]!.GetValue<string>();
    }

    /// <summary>Follows the channel until a publication with <c>data.n</c> = <paramref name="last"/> arrived.</summary>
    public async Task FollowUntilAsync(int last, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Data.Contains(last))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"publication {last} did not arrive; got {Data.Count} ({Describe()})");
            }

            var message = await client.ReceiveAsync(IsForChannel, left);
            if (message["type"]!.GetValue<string>() == "message")
            {
                Take(message);
                continue;
            }

            Assert.Equal("insufficient_state", message["reason"]!.GetValue<string>());
            Assert.True(message["resubscribe"]!.GetValue<bool>());
            Notices++;
            var again = await client.OkAsync(ClusterTests.Subscribe(channel, _offset, _epoch), TimeSpan.FromSeconds(20));
            if (again!["recovered"]!.GetValue<bool>())
            {
                foreach (var publication in again["publications"]!.AsArray())
                {
                    Take(publication!.AsObject());
                }
            }
            else
            {
                Reloads++;
            }

            _offset = again["offset"]!.GetValue<long>();
            _epoch = again["epoch"]!.GetValue<string>();
        }
    }

    public string Describe() => $"notices {Notices}, reloads {Reloads}, silent jumps [{string.Join(", ", SilentJumps)}]";

    private bool IsForChannel(JsonObject message) =>
        message["channel"]?.GetValue<string>() == channel && message["type"]?.GetValue<string>() is "message" or "unsubscribe";

    private void Take(JsonObject publication)
    {
        var offset = publication["offset"]!.GetValue<long>();
        var epoch = publication["epoch"]!.GetValue<string>();
        if (epoch != _epoch || offset != _offset + 1)
        {
            SilentJumps.Add($"{_offset}@{_epoch} -> {offset}@{epoch}");
        }

        _offset = offset;
        _epoch = epoch;
        Data.Add(publication["data"]!["n"]!.GetValue<int>());
    }
}
