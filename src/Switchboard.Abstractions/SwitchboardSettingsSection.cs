namespace Switchboard;

/// <summary>
/// A part of the <c>Switchboard</c> configuration section that something binds: <paramref name="Path"/> (such as
/// <c>Switchboard:Redis</c>) bound to <paramref name="Type"/>, an options class whose public properties are its
/// settings, or a scalar type for one key read by itself (such as <c>Switchboard:InlineScheduling</c>, a
/// <see cref="bool"/>). At start, every key under <c>Switchboard</c> that no registered section accepts stops the
/// application with "unknown setting ... (did you mean ...?)": a misspelt setting must never be silently ignored,
/// least of all a security one. Register your own with <c>services.AddSwitchboardSettings(path, type)</c> (Switchboard.Server), or as a singleton of this type.
/// </summary>
/// <param name="Path">The configuration path, <c>Switchboard</c> or below it, segments separated by <c>:</c>.</param>
/// <param name="Type">The options type bound there, or the scalar type of a single key.</param>
/// <remarks>Thread safety: immutable.</remarks>
public sealed record SwitchboardSettingsSection(string Path, Type Type);
