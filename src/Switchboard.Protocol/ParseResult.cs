namespace Switchboard.Protocol;

/// <summary>
/// The outcome of parsing one client message: either a <see cref="Command"/>, or an <see cref="Error"/> together with
/// whatever could still be read of the message (its id and type) so that the reply can be addressed.
/// </summary>
public readonly struct ParseResult
{
    private ParseResult(Command? command, ProtocolError? error, CommandId? id, string? typeName)
    {
        Command = command;
        Error = error;
        Id = id;
        TypeName = typeName;
    }

    /// <summary>The command, when the message is valid.</summary>
    public Command? Command { get; }

    /// <summary>The error, when the message is invalid.</summary>
    public ProtocolError? Error { get; }

    /// <summary>The id of the message, when one could be read (also for invalid messages).</summary>
    public CommandId? Id { get; }

    /// <summary>The <c>type</c> of the message as sent, when one could be read (at most 64 characters).</summary>
    public string? TypeName { get; }

    /// <summary>Whether parsing produced a command.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Command))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Command is not null;

    internal static ParseResult Success(Command command) => new(command, null, command.Id, Command.TypeName(command.Type));

    internal static ParseResult Failure(ProtocolError error, CommandId? id, string? typeName) => new(null, error, id, typeName);
}
