namespace Switchboard.Client;

/// <summary>What a <see cref="SwitchboardClient"/> does with a command when its offline buffer is full.</summary>
/// <remarks>The names follow <see cref="System.Threading.Channels.BoundedChannelFullMode"/>: "newest" is the most
/// recently buffered command, not the one being added.</remarks>
public enum OfflineBufferOverflow
{
    /// <summary>The new command fails at once with <see cref="SwitchboardBufferFullException"/>; the buffer is unchanged.</summary>
    Reject,

    /// <summary>The oldest buffered command is dropped (its task fails with <see cref="SwitchboardBufferFullException"/>)
    /// to make room for the new one.</summary>
    DropOldest,

    /// <summary>The most recently buffered command is dropped (its task fails with <see cref="SwitchboardBufferFullException"/>)
    /// to make room for the new one.</summary>
    DropNewest,
}
