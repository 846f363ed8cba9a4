using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Switchboard.Client.Internal;

/// <summary>A subscription whose data is deserialized to <typeparamref name="T"/> and queued for one consumer: a handler
/// pump, or the application's <c>await foreach</c>.</summary>
internal sealed class TypedSubscription<T> : Subscription
{
    private readonly Channel<Publication<T>> _queue;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TypedSubscription(SwitchboardClient client, string channel, bool isWildcard, SubscribeOptions? options, JsonTypeInfo<T> typeInfo, int capacity, ILogger logger)
        : base(client, channel, isWildcard, options)
    {
        _typeInfo = typeInfo;
        _logger = logger;
        _queue = System.Threading.Channels.Channel.CreateBounded<Publication<T>>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public override Task Completion => _completion.Task;

    public ChannelReader<Publication<T>> Reader => _queue.Reader;

    /// <summary>Delivers every queued publication to <paramref name="handler"/>, one at a time, in order.</summary>
    public void StartPump(Func<Publication<T>, CancellationToken, ValueTask> handler) => _ = Task.Run(async () =>
    {
        await foreach (var publication in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await handler(publication, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // One failing publication must not end the subscription; the application sees it in its log.
                Log.HandlerFailed(_logger, Channel, publication.Offset, ex);
            }
        }
    }).ContinueWith(static (_, state) => ((TypedSubscription<T>)state!).CompleteFromQueue(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>For the enumerable form: completes <see cref="Completion"/> when the consumer stops.</summary>
    public void CompleteFromQueue()
    {
        var done = _queue.Reader.Completion;
        if (done.IsFaulted)
        {
            _completion.TrySetException(done.Exception!.InnerExceptions);
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    private protected override async ValueTask EnqueueAsync(Protocol.Publication received, bool followsGap)
    {
        Publication<T> publication;
        try
        {
            publication = PublicationReader.Read(received, _typeInfo, followsGap);
        }
        catch (JsonException ex)
        {
            Log.DataNotDeserialized(_logger, Channel, received.Offset, typeof(T).Name, ex);
            return;
        }

        try
        {
            await _queue.Writer.WriteAsync(publication).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Unsubscribed meanwhile.
        }
    }

    internal override void Complete(Exception? error)
    {
        _queue.Writer.TryComplete(error);
        FirstSubscribed.TrySetException(error ?? new SwitchboardConnectionException("the subscription ended before it was made"));
        _ = FirstSubscribed.Task.Exception; // observed: the caller may have stopped waiting
    }
}
