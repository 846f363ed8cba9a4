using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// Starts the broker before the server takes connections. On shutdown, stops taking connections and closes every open one with 1001 (going away), then waits up to the
/// drain timeout for them to finish before the host stops Kestrel. Registered before Kestrel stops, so clients get a
/// proper close frame rather than a reset.
/// </summary>
internal sealed class NodeLifetime : IHostedLifecycleService
{
    private readonly SwitchboardNode _node;
    private readonly ILogger<NodeLifetime> _logger;

    public NodeLifetime(SwitchboardNode node, ILogger<NodeLifetime> logger)
    {
        _node = node;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => _node.Broker.StartAsync(_node, cancellationToken).AsTask();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // StoppingAsync runs before any hosted service's StopAsync, Kestrel's included, whatever the registration order.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _node.IsDraining = true;
        var connections = _node.Connections.All.ToList();
        Log.Draining(_logger, connections.Count);
        foreach (var connection in connections)
        {
            connection.Close(CloseCodes.GoingAway, "server shutting down", discardQueued: false);
        }

        var all = Task.WhenAll(connections.Select(c => c.Completed.Task));
        await Task.WhenAny(all, Task.Delay(_node.Options.DrainTimeout + _node.Options.CloseTimeout, cancellationToken)).ConfigureAwait(false);
    }
}
