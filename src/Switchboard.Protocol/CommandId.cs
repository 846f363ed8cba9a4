using System.Text.Json;

namespace Switchboard.Protocol;

/// <summary>The <c>id</c> of a command: a positive integer or a string of at most 64 characters, echoed in its reply.</summary>
public readonly struct CommandId : IEquatable<CommandId>
{
    /// <summary>The longest string id, in characters.</summary>
    public const int MaxStringLength = 64;

    private CommandId(long number, string? text)
    {
        Number = number;
        Text = text;
    }

    /// <summary>The numeric id, or 0 when the id is a string.</summary>
    public long Number { get; }

    /// <summary>The string id, or <see langword="null"/> when the id is a number.</summary>
    public string? Text { get; }

    /// <summary>Creates a numeric id.</summary>
    public static CommandId FromNumber(long number) =>
        number > 0 ? new CommandId(number, null) : throw new ArgumentOutOfRangeException(nameof(number), "an id must be positive");

    /// <summary>Creates a string id.</summary>
    public static CommandId FromText(string text) =>
        text.Length <= MaxStringLength ? new CommandId(0, text) : throw new ArgumentOutOfRangeException(nameof(text), "an id is at most 64 characters");

    /// <summary>Writes the id as the <c>id</c> property.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        if (Text is not null)
        {
            writer.WriteString(JsonNames.Id, Text);
        }
        else
        {
            writer.WriteNumber(JsonNames.Id, Number);
        }
    }

    /// <inheritdoc />
    public bool Equals(CommandId other) => Number == other.Number && Text == other.Text;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CommandId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Number, Text);

    /// <inheritdoc />
    public override string ToString() => Text ?? Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
