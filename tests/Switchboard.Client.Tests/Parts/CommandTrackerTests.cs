using System.Text;
using Switchboard.Client.Internal;
using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Protocol;

namespace Switchboard.Client.Tests.Parts;

/// <summary>The command tracker on its own: pending requests, the offline buffer, resend rules and timeouts.</summary>
public sealed class CommandTrackerTests
{
    private static readonly DisconnectInfo Lost = new(null, "network", true);

    private static PendingCommand Command(CommandTracker tracker, string type, ResendPolicy resend)
    {
        var id = tracker.NextId();
        return new PendingCommand(id, type, Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"id\":{id}}}"), resend);
    }

    private static ServerMessage Success(long id, string body) =>
        ServerMessageReader.Read(Encoding.UTF8.GetBytes($"{{\"type\":\"result\",\"id\":{id},\"success\":true,\"result\":{body}}}"))!;

    [Fact]
    public async Task Commands_made_offline_wait_and_go_out_in_order_on_connect_and_their_results_complete_them()
    {
        var tracker = new CommandTracker(10, OfflineBufferOverflow.Reject, TimeSpan.FromSeconds(30));
        var commands = Enumerable.Range(0, 3).Select(_ => Command(tracker, "publish", ResendPolicy.Resend)).ToList();
        var waits = commands.Select(c => tracker.ExecuteAsync(c, null, CancellationToken.None)).ToList();
        Assert.Equal(3, tracker.Buffered);

        var sink = new RecordingSink();
        tracker.OnConnected(sink);
        Assert.Equal(commands.Select(c => c.Id), sink.Commands.Select(c => (long)c["id"]!));
        Assert.Equal(0, tracker.Buffered);

        var second = tracker.Take(commands[1].Id)!;
        second.Completion.TrySetResult(Success(second.Id, """{"offset":2}""").Result);
        Assert.Equal(2, ReplyReader.ReadPublish((await waits[1].OrTimeout()).Span));
        Assert.Null(tracker.Take(commands[1].Id)); // Answered once.
    }

    [Fact]
    public void Under_a_window_at_most_that_many_commands_are_unanswered_and_the_rest_follow_in_order_as_results_come()
    {
        var tracker = new CommandTracker(10, OfflineBufferOverflow.Reject, TimeSpan.FromSeconds(30));
        var sink = new RecordingSink { CommandWindow = 3 };
        tracker.OnConnected(sink);
        var commands = Enumerable.Range(0, 7).Select(_ => Command(tracker, "publish", ResendPolicy.Resend)).ToList();
        foreach (var command in commands)
        {
            _ = tracker.ExecuteAsync(command, null, CancellationToken.None);
        }

        Assert.Equal(commands.Take(3).Select(c => c.Id), sink.Commands.Select(c => (long)c["id"]!));

        // Two results: two more go out, in order.
        tracker.Take(commands[0].Id);
        tracker.Take(commands[1].Id);
        Assert.Equal(commands.Take(5).Select(c => c.Id), sink.Commands.Select(c => (long)c["id"]!));

        tracker.Take(commands[2].Id);
        tracker.Take(commands[3].Id);
        tracker.Take(commands[4].Id);
        Assert.Equal(commands.Select(c => c.Id), sink.Commands.Select(c => (long)c["id"]!));

        // Lost with some unanswered and some waiting: all go back to the buffer in their order, sent on reconnect up to the window.
        tracker.OnConnectionLost(Lost);
        Assert.Equal(2, tracker.Buffered);
        var next = new RecordingSink { CommandWindow = 1 };
        tracker.OnConnected(next);
        Assert.Equal([commands[5].Id], next.Commands.Select(c => (long)c["id"]!));
        tracker.Take(commands[5].Id);
        Assert.Equal([commands[5].Id, commands[6].Id], next.Commands.Select(c => (long)c["id"]!));
    }

    [Fact]
    public async Task Refused_commands_go_out_again_in_their_order_and_nothing_newer_goes_before_them()
    {
        var tracker = new CommandTracker(10, OfflineBufferOverflow.Reject, TimeSpan.FromSeconds(30));
        var sink = new RecordingSink();
        tracker.OnConnected(sink);
        var commands = Enumerable.Range(0, 4).Select(_ => Command(tracker, "publish", ResendPolicy.Resend)).ToList();
        foreach (var command in commands)
        {
            _ = tracker.ExecuteAsync(command, null, CancellationToken.None);
        }

        // The server refuses the second and third (rate_limited), in the order their answers come.
        tracker.RetryAfter(tracker.Take(commands[1].Id)!, TimeSpan.FromMilliseconds(200));
        tracker.RetryAfter(tracker.Take(commands[2].Id)!, TimeSpan.FromMilliseconds(100));
        var later = Command(tracker, "publish", ResendPolicy.Resend);
        _ = tracker.ExecuteAsync(later, null, CancellationToken.None);
        Assert.Equal(4, sink.Frames.Count); // Paused: the new one waits behind the refused ones.

        await Wait.UntilAsync(() => sink.Frames.Count == 7, "the refused commands and the new one sent", TimeSpan.FromSeconds(10));
        long[] expected = [commands[0].Id, commands[1].Id, commands[2].Id, commands[3].Id, commands[1].Id, commands[2].Id, later.Id];
        Assert.Equal(expected, sink.Commands.Select(c => (long)c["id"]!));
    }

    [Theory]
    [InlineData(OfflineBufferOverflow.Reject, new[] { 1, 2 }, new[] { 3 })]
    [InlineData(OfflineBufferOverflow.DropOldest, new[] { 2, 3 }, new[] { 1 })]
    [InlineData(OfflineBufferOverflow.DropNewest, new[] { 1, 3 }, new[] { 2 })]
    public async Task A_full_buffer_follows_its_policy(OfflineBufferOverflow policy, int[] kept, int[] failed)
    {
        var tracker = new CommandTracker(2, policy, TimeSpan.FromSeconds(30));
        var waits = new List<Task>();
        for (var i = 1; i <= 3; i++)
        {
            var command = Command(tracker, "publish", ResendPolicy.Resend);
            try
            {
                waits.Add(tracker.ExecuteAsync(command, null, CancellationToken.None));
            }
            catch (SwitchboardBufferFullException ex)
            {
                waits.Add(Task.FromException(ex));
            }
        }

        foreach (var i in failed)
        {
            await Assert.ThrowsAsync<SwitchboardBufferFullException>(() => waits[i - 1]);
        }

        var sink = new RecordingSink();
        tracker.OnConnected(sink);
        Assert.Equal(kept.Select(i => (long)i), sink.Commands.Select(c => (long)c["id"]!));
    }

    [Fact]
    public async Task On_a_lost_connection_reads_and_publishes_are_sent_again_first_an_rpc_fails_and_a_subscribe_is_forgotten()
    {
        var tracker = new CommandTracker(10, OfflineBufferOverflow.Reject, TimeSpan.FromSeconds(30));
        var first = new RecordingSink();
        tracker.OnConnected(first);
        var publish = Command(tracker, "publish", ResendPolicy.Resend);
        var rpc = Command(tracker, "rpc", ResendPolicy.FailIfSent);
        var subscribe = Command(tracker, "subscribe", ResendPolicy.Forget);
        var history = Command(tracker, "history", ResendPolicy.Resend);
        var publishWait = tracker.ExecuteAsync(publish, null, CancellationToken.None);
        var rpcWait = tracker.ExecuteAsync(rpc, null, CancellationToken.None);
        tracker.TrackSent(subscribe);
        var historyWait = tracker.ExecuteAsync(history, null, CancellationToken.None);

        tracker.OnConnectionLost(Lost);
        var later = Command(tracker, "publish", ResendPolicy.Resend);
        var laterWait = tracker.ExecuteAsync(later, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => rpcWait.OrTimeout());
        Assert.Same(Lost, error.Disconnect);
        Assert.True(subscribe.Completion.Task.IsCanceled);
        Assert.Null(tracker.Take(subscribe.Id));

        var second = new RecordingSink();
        tracker.OnConnected(second);
        Assert.Equal([publish.Id, history.Id, later.Id], second.Commands.Select(c => (long)c["id"]!));
        Assert.False(publishWait.IsCompleted || historyWait.IsCompleted || laterWait.IsCompleted);
    }

    [Fact]
    public async Task A_command_sent_to_a_closing_connection_waits_for_the_next_one_even_an_rpc()
    {
        var tracker = new CommandTracker(1, OfflineBufferOverflow.Reject, TimeSpan.FromSeconds(30));
        tracker.OnConnected(new RecordingSink { Closing = true });
        var rpc = Command(tracker, "rpc", ResendPolicy.FailIfSent);
        var wait = tracker.ExecuteAsync(rpc, null, CancellationToken.None);
        tracker.OnConnectionLost(Lost);
        Assert.False(wait.IsCompleted); // It was never sent, so it cannot have run.

        var next = new RecordingSink();
        tracker.OnConnected(next);
        Assert.Equal([rpc.Id], next.Commands.Select(c => (long)c["id"]!));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_timed_out_command_is_forgotten_and_its_late_result_ignored()
    {
        var tracker = new CommandTracker(10, OfflineBufferOverflow.Reject, TimeSpan.FromSeconds(30));
        var command = Command(tracker, "history", ResendPolicy.Resend);
        await Assert.ThrowsAsync<TimeoutException>(() => tracker.ExecuteAsync(command, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Equal(0, tracker.Buffered);
        Assert.Null(tracker.Take(command.Id));
        var sink = new RecordingSink();
        tracker.OnConnected(sink);
        Assert.Empty(sink.Frames);
    }

    [Fact]
    public async Task Stopping_fails_every_waiting_command_with_the_reason()
    {
        var tracker = new CommandTracker(10, OfflineBufferOverflow.Reject, TimeSpan.FromSeconds(30));
        var wait = tracker.ExecuteAsync(Command(tracker, "publish", ResendPolicy.Resend), null, CancellationToken.None);
        tracker.FailAll(new DisconnectInfo(1000, "client disconnect", false));
        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => wait.OrTimeout());
        Assert.Contains("client disconnect", error.Message);
        Assert.Equal(0, tracker.Buffered);
    }

    [Fact]
    public async Task A_rate_limited_command_is_sent_again_unchanged_and_a_subscribe_is_not_carried_to_a_new_connection()
    {
        var tracker = new CommandTracker(10, OfflineBufferOverflow.Reject, TimeSpan.FromSeconds(30));
        var sink = new RecordingSink();
        tracker.OnConnected(sink);
        var publish = Command(tracker, "publish", ResendPolicy.Resend);
        var waiting = tracker.ExecuteAsync(publish, null, CancellationToken.None);
        tracker.RetryAfter(tracker.Take(publish.Id)!, TimeSpan.FromMilliseconds(1));
        await Wait.UntilAsync(() => sink.Frames.Count == 2, "the publish sent again");
        Assert.Equal(sink.Frames[0], sink.Frames[1]);
        tracker.Take(publish.Id)!.Completion.TrySetResult(Success(publish.Id, """{"offset":1}""").Result);
        Assert.Equal(1, ReplyReader.ReadPublish((await waiting.OrTimeout()).Span));

        // A subscribe belongs to its connection: refused on one that is gone, the subscription set redoes it.
        var subscribe = Command(tracker, "subscribe", ResendPolicy.Forget);
        tracker.TrackSent(subscribe);
        tracker.RetryAfter(tracker.Take(subscribe.Id)!, TimeSpan.FromMilliseconds(50));
        tracker.OnConnectionLost(Lost);
        var next = new RecordingSink();
        tracker.OnConnected(next);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscribe.Completion.Task.OrTimeout());
        Assert.Empty(next.Frames);
    }
}
