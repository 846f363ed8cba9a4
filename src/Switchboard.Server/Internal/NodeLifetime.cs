using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;

namespace Switchboard.Server.Internal;

/// <summary>
/// Starts the broker and the control bus before the server takes connections. On shutdown, stops taking connections and closes the open
/// ones with 1001 (going away) in batches spread over the drain time (<see cref="DrainPlan"/>), letting each finish the
/// command it is executing; whatever has not finished its close handshake when the drain time is up is aborted, so
/// that stopping never takes longer than <see cref="SwitchboardOptions.DrainTimeout"/>. Runs before Kestrel stops, so
/// clients get a proper close frame rather than a reset.
/// </summary>
internal sealed class NodeLifetime : IHostedLifecycleService
{
    private readonly SwitchboardNode _node;
    private readonly Cluster.ClusterControl _cluster;
    private readonly ILogger<NodeLifetime> _logger;

    public NodeLifetime(SwitchboardNode node, Cluster.ClusterControl cluster, ILogger<NodeLifetime> logger)
    {
        _node = node;
        _cluster = cluster;
        _logger = logger;
    }

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await _node.Broker.StartAsync(_node, cancellationToken).ConfigureAwait(false);
        await _cluster.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // After the drain: the leaves of this node's clients have been relayed; then the other nodes hear goodbye.
    public Task StoppedAsync(CancellationToken cancellationToken) => _cluster.Bus.StopAsync(cancellationToken).AsTask();

    // StoppingAsync runs before any hosted service's StopAsync, Kestrel's included, whatever the registration order.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var drainTimeout = _node.Options.DrainTimeout;
        _node.IsDraining = true;
        var connections = _node.Connections.All.ToList();
        var plan = DrainPlan.Create(connections.Count, drainTimeout);
        DeliveryLog.DrainStarted(_logger, connections.Count, plan.Batches, drainTimeout.TotalSeconds);
        try
        {
            for (var batch = 0; batch < plan.Batches; batch++)
            {
                if (batch > 0)
                {
                    await Task.Delay(plan.Interval, cancellationToken).ConfigureAwait(false);
                }

                foreach (var connection in connections.Skip(batch * plan.BatchSize).Take(plan.BatchSize))
                {
                    connection.CloseWhenIdle(CloseCodes.GoingAway, "server shutting down");
                }
            }

            var left = drainTimeout - Stopwatch.GetElapsedTime(started);
            if (left > TimeSpan.Zero)
            {
                await Task.WhenAny(Task.WhenAll(connections.Select(c => c.Completed.Task)), Task.Delay(left, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: abort below.
        }

        var unfinished = connections.Where(c => !c.Completed.Task.IsCompleted).ToList();
        if (unfinished.Count > 0)
        {
            DeliveryLog.DrainAborted(_logger, unfinished.Count);
            foreach (var connection in unfinished)
            {
                connection.Abort();
            }
        }
    }
}
