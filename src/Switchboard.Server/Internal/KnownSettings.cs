using System.Collections;
using System.ComponentModel;
using System.Reflection;

namespace Switchboard.Server.Internal;

/// <summary>
/// Decides whether a configuration key is one that a registered <see cref="SwitchboardSettingsSection"/> binds, by
/// walking the option types as <c>ConfigurationBinder</c> does: a class's public properties (settable, or get-only
/// collections and objects it binds into), list indices, any dictionary key, nothing below a scalar. For an unknown
/// key it names the nearest valid setting at the place the key went wrong.
/// </summary>
/// <remarks>Thread safety: immutable after construction.</remarks>
internal sealed class KnownSettings
{
    private readonly IReadOnlyList<SwitchboardSettingsSection> _sections;

    public KnownSettings(IEnumerable<SwitchboardSettingsSection> sections) => _sections = [.. sections];

    /// <summary>Why <paramref name="key"/> is not a setting (<c>unknown setting X (did you mean Y?)</c>), or <see langword="null"/> when it is one.</summary>
    public string? Check(string key)
    {
        var segments = key.Split(':');
        for (var depth = 1; depth < segments.Length; depth++)
        {
            var names = Children(segments.AsSpan(0, depth));
            if (names is null)
            {
                continue; // A dictionary or a list: any key (index) goes here.
            }

            if (!names.Contains(segments[depth], StringComparer.OrdinalIgnoreCase))
            {
                var nearest = Nearest(segments[depth], names);
                var path = string.Join(':', segments.AsSpan(0, depth + 1).ToArray());
                return nearest is null ? $"unknown setting {path}" : $"unknown setting {path} (did you mean {nearest}?)";
            }
        }

        return null;
    }

    /// <summary>The names valid below <paramref name="prefix"/>, or <see langword="null"/> for any.</summary>
    private HashSet<string>? Children(ReadOnlySpan<string> prefix)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in _sections)
        {
            var path = section.Path.Split(':');
            if (prefix.Length < path.Length)
            {
                if (StartsWith(path, prefix))
                {
                    names.Add(path[prefix.Length]);
                }

                continue;
            }

            if (!StartsWith(prefix, path))
            {
                continue;
            }

            var type = Descend(section.Type, prefix[path.Length..]);
            if (type is null)
            {
                continue;
            }

            if (ElementType(type) is not null)
            {
                return null;
            }

            names.UnionWith(Properties(type));
        }

        return names;
    }

    private static bool StartsWith(ReadOnlySpan<string> value, ReadOnlySpan<string> prefix)
    {
        for (var i = 0; i < prefix.Length; i++)
        {
            if (!string.Equals(value[i], prefix[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The type bound at <paramref name="segments"/> below <paramref name="type"/>, or <see langword="null"/> when nothing is.</summary>
    private static Type? Descend(Type type, ReadOnlySpan<string> segments)
    {
        foreach (var segment in segments)
        {
            if (ElementType(type) is { } element)
            {
                type = element;
                continue;
            }

            var property = Bindable(type).FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return null;
            }

            type = property.PropertyType;
        }

        return type;
    }

    private static IEnumerable<string> Properties(Type type) => IsScalar(type) ? [] : Bindable(type).Select(static p => p.Name);

    private static IEnumerable<PropertyInfo> Bindable(Type type) => IsScalar(type)
        ? []
        : type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(static p => p.GetIndexParameters().Length == 0 && (p.SetMethod?.IsPublic == true || (p.GetMethod?.IsPublic == true && !IsScalar(p.PropertyType))));

    /// <summary>The element type of a list or dictionary (whose keys or indices are free), or <see langword="null"/>.</summary>
    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null)
        {
            return dictionary.GetGenericArguments()[1];
        }

        var enumerable = type.GetInterfaces().Append(type).FirstOrDefault(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0] ?? typeof(object);
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(object) || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));
    }

    /// <summary>The closest name by edit distance, when it is close enough to be a typo of it.</summary>
    private static string? Nearest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Order(StringComparer.Ordinal))
        {
            var distance = Distance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance, with a transposition counted as one edit (the commonest typo).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
