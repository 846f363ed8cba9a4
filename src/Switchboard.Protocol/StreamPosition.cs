namespace Switchboard.Protocol;

/// <summary>A position in a channel's stream: the offset of a publication within an epoch.</summary>
/// <param name="Offset">The offset; publications count from 1, 0 means "before the first".</param>
/// <param name="Epoch">Identifies one continuous history of the channel; it changes when history is lost.</param>
public readonly record struct StreamPosition(long Offset, string Epoch);
