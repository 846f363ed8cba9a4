using System.Text.Json;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>Collects the publications a subscription handler receives; tests wait for a count with a timeout.</summary>
public sealed class Collector
{
    private readonly List<Publication<JsonElement>> _items = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    public Func<Publication<JsonElement>, CancellationToken, ValueTask> Handler => (publication, _) =>
    {
        lock (_items)
        {
            _items.Add(publication);
            foreach (var waiter in _waiters)
            {
                if (_items.Count >= waiter.Count)
                {
                    waiter.Done.TrySetResult();
                }
            }
        }

        return ValueTask.CompletedTask;
    };

    public List<Publication<JsonElement>> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> publications arrived.</summary>
    public async Task<List<Publication<JsonElement>>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_items)
        {
            if (_items.Count >= count)
            {
                return [.. _items];
            }

            _waiters.Add((count, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout ?? Wait.Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"expected {count} publications, got {Items.Count}");
        }

        return Items;
    }
}
