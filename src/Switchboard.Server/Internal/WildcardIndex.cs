using System.Collections.Concurrent;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// Wildcard patterns by segment, as a trie: a publication walks only the branches its channel's segments lead to (the
/// literal segment and <c>*</c> at each level, and a <c>&gt;</c> where one ends), so its cost grows with the channel's
/// depth and the patterns that match it, not with the number of patterns. Each pattern holds one value.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Visit{TState}"/> reads without locks (children in concurrent dictionaries looked up by
/// span, slots volatile) while <see cref="Add"/> and <see cref="Remove"/> are serialized by one lock; a visit racing a
/// change sees the pattern or not, never a torn node.
/// </remarks>
internal sealed class WildcardIndex<T>
    where T : class
{
    private readonly Lock _gate = new();
    private readonly Node _root = new();

    /// <summary>Sets the value of <paramref name="pattern"/> (a wildcard pattern), replacing any.</summary>
    public void Add(ChannelPattern pattern, T value)
    {
        lock (_gate)
        {
            var node = _root;
            foreach (var segment in pattern.Value.Split('.'))
            {
                switch (segment)
                {
                    case ">":
                        node.Tail = value; // '>' is always the last segment.
                        return;
                    case "*":
                        node = node.Star ??= new Node();
                        break;
                    default:
                        node.Children ??= new ConcurrentDictionary<string, Node>(StringComparer.Ordinal);
                        node = node.Children.GetOrAdd(segment, static _ => new Node());
                        break;
                }
            }

            node.Terminal = value;
        }
    }

    /// <summary>Removes the value of <paramref name="pattern"/> and prunes the branches left empty.</summary>
    public void Remove(ChannelPattern pattern)
    {
        lock (_gate)
        {
            var segments = pattern.Value.Split('.');
            var path = new Node[segments.Length + 1];
            path[0] = _root;
            var depth = 0;
            for (; depth < segments.Length; depth++)
            {
                var segment = segments[depth];
                var node = path[depth];
                if (segment == ">")
                {
                    node.Tail = null;
                    break;
                }

                var next = segment == "*" ? node.Star : node.Children?.GetValueOrDefault(segment);
                if (next is null)
                {
                    return;
                }

                path[depth + 1] = next;
            }

            if (depth == segments.Length)
            {
                path[depth].Terminal = null;
            }

            // Prune from the deepest node up: a node with no value and no branches is unlinked from its parent.
            // (path[depth] holds the value that was cleared: the '>' node, or the end of the pattern.)
            for (var i = depth - 1; i >= 0; i--)
            {
                if (!path[i + 1].IsEmpty)
                {
                    break;
                }

                if (segments[i] == "*")
                {
                    path[i].Star = null;
                }
                else
                {
                    path[i].Children!.TryRemove(segments[i], out _);
                }
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with the value of every pattern that matches the concrete <paramref name="channel"/>
    /// and returns the sum of what it returned. Allocates nothing; pass a static lambda.
    /// </summary>
    public int Visit<TState>(ReadOnlySpan<char> channel, TState state, Func<T, TState, int> visit) =>
        VisitFrom(_root, channel, state, visit);

    private static int VisitFrom<TState>(Node node, ReadOnlySpan<char> rest, TState state, Func<T, TState, int> visit)
    {
        if (rest.IsEmpty)
        {
            return node.Terminal is { } terminal ? visit(terminal, state) : 0;
        }

        // A '>' here matches: at least one segment follows.
        var count = node.Tail is { } tail ? visit(tail, state) : 0;
        var dot = rest.IndexOf('.');
        var segment = dot < 0 ? rest : rest[..dot];
        var next = dot < 0 ? [] : rest[(dot + 1)..];
        if (node.Children is { } children && children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(segment, out var child))
        {
            count += VisitFrom(child, next, state, visit);
        }

        if (node.Star is { } star)
        {
            count += VisitFrom(star, next, state, visit);
        }

        return count;
    }

    private sealed class Node
    {
        private volatile ConcurrentDictionary<string, Node>? _children;
        private volatile Node? _star;
        private volatile T? _tail;
        private volatile T? _terminal;

        /// <summary>Literal next segments; created on first use (most nodes are leaves).</summary>
        public ConcurrentDictionary<string, Node>? Children { get => _children; set => _children = value; }

        /// <summary>The <c>*</c> branch.</summary>
        public Node? Star { get => _star; set => _star = value; }

        /// <summary>The value of the pattern that ends with <c>&gt;</c> here.</summary>
        public T? Tail { get => _tail; set => _tail = value; }

        /// <summary>The value of the pattern that ends exactly here.</summary>
        public T? Terminal { get => _terminal; set => _terminal = value; }

        public bool IsEmpty => _tail is null && _terminal is null && _star is null && (_children is null || _children.IsEmpty);
    }
}
