using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Server.Handlers.Internal;

/// <summary>One instance per handler type, whichever endpoints it is mapped at.</summary>
internal sealed class HandlerInstances
{
    private readonly ConcurrentDictionary<Type, SwitchboardHandler> _instances = new();

    public THandler GetOrCreate<THandler>(IServiceProvider services)
        where THandler : SwitchboardHandler =>
        (THandler)_instances.GetOrAdd(typeof(THandler), static (_, services) =>
        {
            var handler = services.GetService<THandler>() ?? ActivatorUtilities.CreateInstance<THandler>(services);
            handler.Clients = services.GetRequiredService<HandlerClients<THandler>>();
            return handler;
        }, services);
}
