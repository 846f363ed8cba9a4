using System.Text.RegularExpressions;

namespace HomeHub;

/// <summary>Home Assistant's rule for an entity id (<c>valid_entity_id</c>): <c>domain.object_id</c>, lower-case letters, digits and single underscores inside.</summary>
public static partial class EntityId
{
    /// <summary>Whether <paramref name="entityId"/> is a valid entity id.</summary>
    public static bool IsValid(string entityId) => Pattern().IsMatch(entityId);

    [GeneratedRegex(@"^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
