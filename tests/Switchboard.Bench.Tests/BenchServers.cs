using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Bench.RawReference;
using Switchboard.Bench.SignalRReference;
using Switchboard.Host;

namespace Switchboard.Bench.Tests;

/// <summary>
/// The servers the load generator drives, each at 127.0.0.1 with a port the OS picks: Switchboard, SignalR and the raw
/// reference on real Kestrel in this process, the Node reference (bench/NodeReference, npm's ws) as a child process.
/// </summary>
public sealed class BenchServers : IAsyncLifetime
{
    private readonly List<WebApplication> _apps = [];
    private NodeReferenceProcess? _node;

    public Uri Switchboard { get; private set; } = null!;

    public Uri SignalR { get; private set; } = null!;

    public Uri Raw { get; private set; } = null!;

    internal Uri UrlOf(BenchTargetKind target) => target switch
    {
        BenchTargetKind.Switchboard or BenchTargetKind.SwitchboardBatch => Switchboard,
        BenchTargetKind.SignalR => SignalR,
        BenchTargetKind.Node => _node!.Url,
        _ => Raw,
    };

    /// <summary>The process serving <paramref name="target"/>: node's own, or this one (so its CPU and memory include the load generator's).</summary>
    internal int PidOf(BenchTargetKind target) => target == BenchTargetKind.Node ? _node!.Pid : Environment.ProcessId;

    public async Task InitializeAsync()
    {
        // The host's own serve application (its rpc "time" included), as `switchboard serve` builds it.
        Switchboard = await StartAsync(ServeCommand.BuildApp("http://127.0.0.1:0", null, []), "/ws");
        SignalR = await StartAsync(SignalRReferenceServer.Build(["--urls", "http://127.0.0.1:0"]), SignalRReferenceServer.HubPath);
        Raw = await StartAsync(RawReferenceServer.Build(["--urls", "http://127.0.0.1:0"]), "/ws");
        _node = await NodeReferenceProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _node?.Dispose();
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task<Uri> StartAsync(WebApplication app, string path)
    {
        _apps.Add(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri($"ws://{new Uri(address).Authority}{path}");
    }
}
