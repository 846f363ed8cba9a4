namespace Switchboard.Server.Handlers;

/// <summary>
/// Thrown by <see cref="HandlerConnection.JoinGroupAsync"/> when the connection is in
/// <c>Switchboard:MaxSubscriptionsPerConnection</c> groups already. Left uncaught, it becomes the client's
/// <see cref="HandlerErrorKind.LimitExceeded"/> error and the connection lives on; it is the client's doing, so it is
/// logged once per connection at Information, never as a failure.
/// </summary>
public sealed class GroupLimitExceededException : InvalidOperationException
{
    /// <summary>Creates the exception for a connection that may be in at most <paramref name="limit"/> groups.</summary>
    public GroupLimitExceededException(int limit)
        : base($"Too many groups: at most {limit} per connection")
    {
        Limit = limit;
    }

    /// <summary>The most groups one connection may be in.</summary>
    public int Limit { get; }
}
