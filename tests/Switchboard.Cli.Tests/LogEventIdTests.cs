using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Cli.Tests;

/// <summary>
/// docs/observability.md promises stable event ids, one range per area, with no id used twice: log filters and alerts
/// key on them. This reads every <c>[LoggerMessage]</c> of the shipped assemblies.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly string[] Shipped = ["switchboard", "Switchboard.Server", "Switchboard.Client", "Switchboard.Redis", "Switchboard.Nats"];

    [Fact]
    public void No_two_log_messages_share_an_event_id()
    {
        var messages = Shipped
            .Select(Assembly.Load)
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: $"{method.DeclaringType!.FullName}.{method.Name}", Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(messages.Count > 50, $"found only {messages.Count} [LoggerMessage] methods: is an assembly missing?");
        var shared = messages
            .GroupBy(m => m.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();
        Assert.True(shared.Count == 0, "event ids used more than once:\n" + string.Join("\n", shared));
    }
}
