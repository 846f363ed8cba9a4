using Switchboard.Client;

namespace Switchboard.Redis.Tests;

/// <summary>The .NET client following one channel: records each publication it hands to the application.</summary>
internal sealed class SdkFollower : IAsyncDisposable
{
    private readonly SwitchboardClient _client;
    private readonly List<(long Offset, int N, bool FollowsGap)> _received = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private Subscription? _subscription;

    private SdkFollower(SwitchboardClient client) => _client = client;

    public static async Task<SdkFollower> StartAsync(TestServer node, string channel)
    {
        var follower = new SdkFollower(new SwitchboardClient(new SwitchboardClientOptions { Url = node.WebSocketUri }));
        await follower._client.ConnectAsync();
        follower._subscription = await follower._client.SubscribeAsync(channel, (publication, _) =>
        {
            lock (follower._received)
            {
                follower._received.Add((publication.Offset, publication.Data.GetProperty("n").GetInt32(), publication.FollowsGap));
            }

            follower._arrived.Release();
            return ValueTask.CompletedTask;
        });
        return follower;
    }

    public List<(long Offset, int N, bool FollowsGap)> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Waits until the publication with <c>data.n</c> = <paramref name="last"/> was handed over.</summary>
    public async Task WaitForAsync(int last, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!Received.Any(r => r.N == last))
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the .NET client did not get {last}; got {Received.Count}, gaps at [{string.Join(", ", Received.Where(r => r.FollowsGap).Select(r => r.Offset))}]");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        await _client.DisposeAsync();
    }
}
