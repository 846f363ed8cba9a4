using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Protocol;
using Switchboard.Server;
using Switchboard.Brokers;
using Switchboard.Server.Internal;
using Switchboard.Presence;
using Switchboard.Server.Security;
using Switchboard.Server.Security.Internal;

namespace Switchboard.Benchmarks;

/// <summary>
/// The server's real fan-out path in one process: a <see cref="SubscriptionRegistry"/> with N live subscriptions of
/// real <see cref="SwitchboardConnection"/>s, whose WebSockets write to a stream that discards. With
/// <c>runWriters</c> each connection's send loop runs and drains its queue, as on a live server; without, the
/// queues only fill (the caller keeps the count of publications below the queue limit).
/// Shared by the BenchmarkDotNet benchmark and the allocation test (linked into tests/Switchboard.Bench.Tests).
/// </summary>
internal sealed class FanoutRig : IDisposable
{
    public const string Channel = "bench.fanout";

    private readonly List<WebSocket> _sockets = [];
    private readonly List<Task> _writers = [];
    private long _offset;

    public FanoutRig(int subscribers, bool runWriters)
    {
        var options = Options.Create(new SwitchboardOptions { OutgoingQueueLimit = 64L * 1024 * 1024 });
        var broker = new MemoryBroker();
        var node = new SwitchboardNode(broker, new MemoryPresenceStore(), options, NullLogger<PresenceTracker>.Instance);
        var security = new SecurityPolicy(Options.Create(new SwitchboardSecurityOptions()));
        var signIn = new AppSignIn(Options.Create(new SwitchboardSecurityOptions()), new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>());
        var proxyServices = new ServiceCollection().AddLogging().AddMetrics().AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        Switchboard.Server.Proxy.Internal.ProxyServices.AddSwitchboardProxy(proxyServices); // No URL: never called.
        var proxy = proxyServices.BuildServiceProvider().GetRequiredService<Switchboard.Server.Proxy.Internal.ProxyClient>();
        var dispatcher = new CommandDispatcher(node, new OpenChannelAuthorizer(), security, signIn, proxy, NullLogger<CommandDispatcher>.Instance);
        var protocol = new BuiltInProtocol(dispatcher, node, security);
        Registry = node.Subscriptions;
        var channel = ChannelPattern.Parse(Channel);
        for (var i = 0; i < subscribers; i++)
        {
            var socket = WebSocket.CreateFromStream(new DiscardStream(), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            _sockets.Add(socket);
            var connection = new SwitchboardConnection(socket, batch: true, ConnectionIdentity.Anonymous, options.Value, protocol, NullLogger<SwitchboardConnection>.Instance);
            var subscription = new ChannelSubscription(connection, channel, presenceEvents: false);
            subscription.GoLive(null);
            Registry.Add(subscription);
            if (runWriters)
            {
                _writers.Add(Task.Run(connection.Writer.RunAsync));
            }

            Connections.Add(connection);
        }

        Data = System.Text.Encoding.UTF8.GetBytes("{\"s\":1,\"t\":1,\"p\":\"" + new string('x', 128 - 20) + "\"}");
    }

    public SubscriptionRegistry Registry { get; }

    public List<SwitchboardConnection> Connections { get; } = [];

    /// <summary>A 128-byte JSON payload.</summary>
    public byte[] Data { get; }

    /// <summary>A new publication on the channel, as the broker would hand it to the node.</summary>
    public Publication NextPublication() => new(Channel, Data, ++_offset, "bench", null, 1_700_000_000_000);

    /// <summary>Bytes still queued over all connections.</summary>
    public long QueuedBytes => Connections.Sum(c => c.Writer.QueuedBytes);

    public void Dispose()
    {
        foreach (var connection in Connections)
        {
            connection.Writer.Complete(discardQueued: true);
        }

        Task.WaitAll([.. _writers], TimeSpan.FromSeconds(10));
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    /// <summary>A stream that accepts writes and never has anything to read.</summary>
    private sealed class DiscardStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => 0;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
