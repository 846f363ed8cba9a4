using Switchboard.Protocol;

namespace Switchboard.Client;

/// <summary>A publication received on a subscription or read from history, with its data deserialized.</summary>
/// <typeparam name="T">The type of the data.</typeparam>
public sealed class Publication<T>
{
    /// <summary>Creates a publication.</summary>
    public Publication(string channel, T data, long offset, string epoch, PublisherInfo? from, long timestamp, bool followsGap)
    {
        Channel = channel;
        Data = data;
        Offset = offset;
        Epoch = epoch;
        From = from;
        Timestamp = timestamp;
        FollowsGap = followsGap;
    }

    /// <summary>The concrete channel it was published to.</summary>
    public string Channel { get; }

    /// <summary>The data.</summary>
    public T Data { get; }

    /// <summary>Its offset in the channel's stream.</summary>
    public long Offset { get; }

    /// <summary>The epoch of the channel's stream.</summary>
    public string Epoch { get; }

    /// <summary>The publishing client, or <see langword="null"/> when the server published it.</summary>
    public PublisherInfo? From { get; }

    /// <summary>Unix time in milliseconds when it was published.</summary>
    public long Timestamp { get; }

    /// <summary>
    /// <see langword="true"/> when publications before this one may be missing: after a reconnect the server answered
    /// <c>recovered: false</c> (its history no longer held everything missed, or the epoch changed). The application
    /// should reload its state, e.g. with <see cref="SwitchboardClient.HistoryAsync{T}(string, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}, HistoryOptions?, CancellationToken)"/>.
    /// </summary>
    public bool FollowsGap { get; }

    /// <summary>The position of this publication.</summary>
    public StreamPosition Position => new(Offset, Epoch);
}
