using System.Text.Json;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>A message that did not deserialize into its route's type; becomes <see cref="HandlerErrorKind.InvalidMessage"/>.</summary>
internal sealed class InvalidHandlerMessageException(JsonException inner)
    : Exception(string.IsNullOrEmpty(inner.Path) || inner.Path == "$" ? "Invalid message" : $"Invalid message at {inner.Path}", inner);
