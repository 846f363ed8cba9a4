using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Switchboard.Server.Tests.Infrastructure;

namespace Switchboard.Server.Tests.Delivery;

/// <summary>One step of a <see cref="StreamLifecycleProperties"/> scenario.</summary>
/// <param name="Kind">What happens.</param>
/// <param name="Follower">Which subscribing client (subscribe, unsubscribe).</param>
/// <param name="Channel">Which of the scenario's channels (subscribe, unsubscribe, publish).</param>
public sealed record LifecycleStep(LifecycleStepKind Kind, int Follower, int Channel)
{
    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        LifecycleStepKind.Subscribe or LifecycleStepKind.Unsubscribe => $"{Kind}(f{Follower}, c{Channel})",
        LifecycleStepKind.Publish => $"Publish(c{Channel})",
        _ => Kind.ToString(),
    };
}

/// <summary>The kinds of <see cref="LifecycleStep"/>.</summary>
public enum LifecycleStepKind
{
    /// <summary>A follower subscribes (again, after a gap notice).</summary>
    Subscribe,

    /// <summary>A follower unsubscribes.</summary>
    Unsubscribe,

    /// <summary>The publisher publishes once.</summary>
    Publish,

    /// <summary>The broker forgets the streams nobody has published to (the memory broker's sweep, an expired Redis key).</summary>
    Sweep,

    /// <summary>The broker forgets every stream (a reset, Redis restarted without persistence): the next publishes start new epochs.</summary>
    NewEpoch,
}

/// <summary>A node (or nodes) on one broker, and the broker's ways of forgetting streams, for <see cref="StreamLifecycleProperties"/>.</summary>
public interface IStreamLifecycleRig : IAsyncDisposable
{
    /// <summary>The nodes: followers connect to them in turn, the publisher to the last one.</summary>
    IReadOnlyList<TestServer> Nodes { get; }

    /// <summary>The log of every node.</summary>
    LogCapture Log { get; }

    /// <summary>Makes the broker forget the streams of <paramref name="channels"/> that nobody has published to, as it does by itself after a while.</summary>
    Task SweepAsync(IReadOnlyList<string> channels);

    /// <summary>Makes the broker forget every stream of <paramref name="channels"/>.</summary>
    Task NewEpochAsync(IReadOnlyList<string> channels);
}

/// <summary>
/// Random sequences of subscribe, unsubscribe, publish, sweep and new-epoch steps on real nodes (the memory broker on
/// fake time here, a real redis-server in Switchboard.Redis.Tests): after each publish every subscribed follower gets
/// exactly that publication, following what it had (the next offset of its epoch, or offset 1 of any epoch after
/// offset 0), or the gap notice where the epoch changed; never a silent jump, a repeat, or nothing; no publish is held;
/// and the node's continuity log (events 407-409, 430) stays within one line per step.
/// </summary>
/// <remarks>
/// A follower that had seen nothing (offset 0) may also get the gap notice when the node was still answering for an
/// older subscription's epoch: it loses nothing (its resubscribe from offset 0 recovers), so the property allows it; the
/// case issue 20 found, one follower at offset 0, is checked exactly in <see cref="SweptStreamTests"/>.
/// </remarks>
public abstract class StreamLifecycleProperties
{
    private const int Followers = 3;
    private const int Channels = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static int s_case;

    /// <summary>Starts the nodes; called once per test, every scenario runs on them under channels of its own.</summary>
    protected abstract Task<IStreamLifecycleRig> StartAsync();

    /// <summary>How many scenarios one run checks.</summary>
    protected virtual int Scenarios => 40;

    [Fact]
    public async Task Every_follower_gets_each_publication_once_in_order_or_the_gap_notice_after_any_sweep_and_epoch_sequence()
    {
        await using var rig = await StartAsync();
        var step =
            from kind in Gen.Frequency(
                (3, Gen.Constant(LifecycleStepKind.Subscribe)),
                (1, Gen.Constant(LifecycleStepKind.Unsubscribe)),
                (4, Gen.Constant(LifecycleStepKind.Publish)),
                (1, Gen.Constant(LifecycleStepKind.Sweep)),
                (1, Gen.Constant(LifecycleStepKind.NewEpoch)))
            from follower in Gen.Choose(0, Followers - 1)
            from channel in Gen.Choose(0, Channels - 1)
            select new LifecycleStep(kind, follower, channel);
        var scenario = step.ListOf().Where(steps => steps.Count is > 0 and <= 24).Select(steps => steps.ToArray());

        // No shrinking: a failing scenario is reported as it ran (each run of one costs real sockets and time).
        var property = Prop.ForAll(scenario.ToArbitrary(), steps => Task.Run(() => RunAsync(rig, steps)).GetAwaiter().GetResult());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Scenarios), property);
    }

    private static async Task RunAsync(IStreamLifecycleRig rig, LifecycleStep[] steps)
    {
        var id = Interlocked.Increment(ref s_case);
        var channels = Enumerable.Range(0, Channels).Select(c => $"life{id}.c{c}").ToArray();
        var logged = ContinuityEvents(rig.Log);
        var followers = new Follower[Followers];
        for (var f = 0; f < Followers; f++)
        {
            followers[f] = new Follower(await rig.Nodes[f % rig.Nodes.Count].ConnectAsync());
        }

        await using var publisher = await rig.Nodes[^1].ConnectAsync();
        publisher.AnswerPings = true;
        var trace = new List<string>();
        try
        {
            for (var n = 0; n < steps.Length; n++)
            {
                trace.Add(steps[n].ToString());
                await StepAsync(rig, steps[n], n, channels, followers, publisher, trace);
            }

            foreach (var follower in followers)
            {
                while (follower.Client.TryReceive(out var stray))
                {
                    Assert.False(channels.Contains(stray!["channel"]?.GetValue<string>()), $"unexpected {stray.ToJsonString()}");
                }
            }

            var written = ContinuityEvents(rig.Log) - logged;
            Assert.True(written <= steps.Length, $"{written} continuity log lines for {steps.Length} steps:\n{rig.Log.Recent}");
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{ex.GetType().Name}: {ex.Message}\nsteps: {string.Join(", ", trace)}");
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\nsteps: {string.Join(", ", trace)}");
        }
        finally
        {
            foreach (var follower in followers)
            {
                await follower.Client.DisposeAsync();
            }
        }
    }

    private static async Task StepAsync(IStreamLifecycleRig rig, LifecycleStep step, int n, string[] channels, Follower[] followers, TestClient publisher, List<string> trace)
    {
        var follower = followers[step.Follower];
        var channel = channels[step.Channel];
        switch (step.Kind)
        {
            case LifecycleStepKind.Subscribe when !follower.Positions.ContainsKey(channel):
                var subscribed = await follower.Client.SubscribeAsync(channel);
                follower.Positions[channel] = (subscribed!["offset"]!.GetValue<long>(), subscribed["epoch"]!.GetValue<string>());
                break;
            case LifecycleStepKind.Unsubscribe when follower.Positions.Remove(channel):
                await follower.Client.UnsubscribeAsync(channel);
                break;
            case LifecycleStepKind.Publish:
                var published = await publisher.PublishAsync(channel, new JsonObject { ["n"] = n }); // Times out if held.
                var offset = published!["offset"]!.GetValue<long>();
                var epoch = await EpochOfAsync(publisher, channel, offset); // The result names only the offset.
                trace[^1] += $" -> {offset}@{epoch}";
                foreach (var live in followers.Where(f => f.Positions.ContainsKey(channel)))
                {
                    await ExpectAsync(live, channel, n, offset, epoch);
                }

                break;
            case LifecycleStepKind.Sweep:
                await rig.SweepAsync(channels);
                await KeepAliveAsync(followers, publisher);
                break;
            case LifecycleStepKind.NewEpoch:
                await rig.NewEpochAsync(channels);
                await KeepAliveAsync(followers, publisher);
                break;
        }
    }

    /// <summary>The follower's next message on the channel is the publication, or (only where the epoch changed) the gap notice.</summary>
    private static async Task ExpectAsync(Follower follower, string channel, int n, long offset, string epoch)
    {
        var (lastOffset, lastEpoch) = follower.Positions[channel];
        var follows = (lastEpoch == epoch && offset == lastOffset + 1) || (lastOffset == 0 && offset == 1);
        var next = await follower.Client.ReceiveAsync(m => m["channel"]?.GetValue<string>() == channel, Patience);
        var what = $"after {lastOffset}@{lastEpoch}, publication {offset}@{epoch}: got {next.ToJsonString()}";
        if (next["type"]!.GetValue<string>() == "unsubscribe")
        {
            Assert.Equal("insufficient_state", next["reason"]!.GetValue<string>());
            Assert.True(!follows || lastEpoch != epoch, "a gap notice where nothing was missed: " + what);
            follower.Positions.Remove(channel);
            return;
        }

        Assert.True(follows, "a publication that does not follow: " + what);
        Assert.Equal(offset, next["offset"]!.GetValue<long>());
        Assert.Equal(epoch, next["epoch"]!.GetValue<string>());
        Assert.Equal(n, next["data"]!["n"]!.GetValue<int>());
        follower.Positions[channel] = (offset, epoch);
    }

    /// <summary>The epoch of the channel's newest publication, which is the one just made at <paramref name="offset"/>.</summary>
    private static async Task<string> EpochOfAsync(TestClient publisher, string channel, long offset)
    {
        var history = await publisher.OkAsync(new JsonObject { ["type"] = "history", ["channel"] = channel, ["limit"] = 1 });
        Assert.Equal(offset, history!["offset"]!.GetValue<long>());
        return history["epoch"]!.GetValue<string>();
    }

    /// <summary>A round trip on every connection, so that none is silent past the heartbeat when the clock jumps.</summary>
    private static async Task KeepAliveAsync(Follower[] followers, TestClient publisher)
    {
        foreach (var client in followers.Select(f => f.Client).Append(publisher))
        {
            await client.RpcAsync("echo", 1);
        }
    }

    private static int ContinuityEvents(LogCapture log) => log.Count(407) + log.Count(408) + log.Count(409) + log.Count(430);

    /// <summary>A subscribing client and, per channel it is subscribed to, the last position it had.</summary>
    private sealed class Follower
    {
        public Follower(TestClient client)
        {
            Client = client;
            client.AnswerPings = true;
        }

        public TestClient Client { get; }

        public Dictionary<string, (long Offset, string Epoch)> Positions { get; } = new(StringComparer.Ordinal);
    }
}
