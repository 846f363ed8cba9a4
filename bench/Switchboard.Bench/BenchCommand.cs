using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Switchboard.Bench;

/// <summary><c>switchboard-bench MODE</c>: the load generator (fanout, connections, rpc, reconnect-storm, cost).</summary>
internal static class BenchCommand
{
    public static RootCommand Create()
    {
        var mode = new Argument<string>("mode") { Description = "fanout | connections | rpc | reconnect-storm | cost" };
        mode.AcceptOnlyFromAmong("fanout", "connections", "rpc", "reconnect-storm", "cost");
        var target = new Option<string>("--target")
        {
            Description = "The server: switchboard (plain clients, one message per frame), switchboard-batch (clients with ?batch=1), signalr (bench/SignalRReference), raw (bench/RawReference) or node (bench/NodeReference, npm's ws).",
            DefaultValueFactory = _ => "switchboard",
        };
        target.AcceptOnlyFromAmong([.. BenchTarget.Names]);
        var url = new Option<string?>("--url") { Description = "WebSocket URL. Default: ws://127.0.0.1:8000/ws, :5100/hub (signalr), :5200/ws (raw), :5300/ws (node)." };
        var connections = new Option<int>("--connections", "-n") { Description = "Subscribers (fanout, reconnect-storm), idle connections (connections) or request loops (rpc).", DefaultValueFactory = _ => 100 };
        var channels = new Option<int>("--channels") { Description = "Channels the subscribers are spread over (raw has one).", DefaultValueFactory = _ => 1 };
        var rate = new Option<string?>("--rate") { Description = "Publish rates in messages/s to step through, comma separated; 'max' = as fast as the server keeps up. Default 100; cost: one rate, default 50." };
        var payload = new Option<int>("--payload") { Description = "Payload size in bytes.", DefaultValueFactory = _ => 128 };
        var duration = new Option<double>("--duration") { Description = "Seconds measured per rate (rpc: in total).", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of warm-up before measuring (reconnect-storm: before the drop).", DefaultValueFactory = _ => 1 };
        var drain = new Option<double>("--drain") { Description = "Seconds to wait for in-flight messages after publishing stops.", DefaultValueFactory = _ => 5 };
        var connectRate = new Option<double>("--connect-rate") { Description = "Connections opened per second; 0 = as fast as possible.", DefaultValueFactory = _ => 0 };
        var concurrency = new Option<int>("--connect-concurrency") { Description = "Connects in flight at once.", DefaultValueFactory = _ => 64 };
        var sources = new Option<int>("--source-addresses") { Description = "Loopback source addresses 127.0.0.1..127.0.0.N; 0 = one per 25,000 connections.", DefaultValueFactory = _ => 0 };
        var hold = new Option<double>("--hold") { Description = "Seconds the connections and cost modes hold their connections before reading the server's memory.", DefaultValueFactory = _ => 5 };
        var idle = new Option<int>("--idle-connections") { Description = "cost: idle, subscribed connections opened beside the -n subscribers for the memory figure, closed before the fan-out.", DefaultValueFactory = _ => 0 };
        var pid = new Option<int?>("--pid") { Description = "The server's process id, to read its memory (connections, cost) and CPU use (fanout, rpc, connections, cost)." };
        var keepGoing = new Option<bool>("--all-rates") { Description = "Run every rate even after the server fell behind at one (loss, rate not reached, p99 over 1 s); default: stop there." };
        var httpPublishers = new Option<int>("--http-publishers") { Description = "topicmanager: POST /api/publish requests in flight at once.", DefaultValueFactory = _ => 32 };
        var method = new Option<string>("--rpc-method") { Description = "The rpc method to call (switchboard).", DefaultValueFactory = _ => "time" };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON on standard output (progress goes to standard error)." };
        var report = new Option<FileInfo?>("--report") { Description = "Write an HTML report with a latency histogram and a percentile plot." };

        var command = new RootCommand("switchboard-bench: load-test a Switchboard server (plain or batching clients), or the SignalR, raw Kestrel or Node ws reference, on this machine.")
        {
            mode, target, url, connections, channels, rate, payload, duration, warmup, drain, connectRate, concurrency, sources, hold, idle, pid, keepGoing, httpPublishers, method, json, report,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // The load generator's receive loops never block: handle each frame on the epoll thread, so that the
            // generator's own queueing adds as little as possible to the latency it measures (every target alike).
            Switchboard.Host.SocketCompletions.PreferInline();
            var benchMode = parse.GetValue(mode) switch
            {
                "connections" => BenchMode.Connections,
                "rpc" => BenchMode.Rpc,
                "reconnect-storm" => BenchMode.ReconnectStorm,
                "cost" => BenchMode.Cost,
                _ => BenchMode.Fanout,
            };
            if (!TryParseRates(parse.GetValue(rate) ?? (benchMode == BenchMode.Cost ? "50" : "100"), out var rates))
            {
                await Console.Error.WriteLineAsync("switchboard-bench: --rate takes numbers above 0 or 'max', separated by commas").ConfigureAwait(false);
                return 2;
            }

            if (benchMode == BenchMode.Cost && (rates.Count != 1 || rates[0] <= 0))
            {
                // CPU per delivery is compared at one unsaturated rate; at 'max' it would measure a saturated core.
                await Console.Error.WriteLineAsync("switchboard-bench: cost measures at one fixed rate: --rate takes a single number above 0").ConfigureAwait(false);
                return 2;
            }

            Uri? address = null;
            if (parse.GetValue(url) is { } text && (!Uri.TryCreate(text, UriKind.Absolute, out address) || address.Scheme is not ("ws" or "wss")))
            {
                await Console.Error.WriteLineAsync("switchboard-bench: --url takes a ws:// or wss:// URL").ConfigureAwait(false);
                return 2;
            }

            var settings = new BenchSettings
            {
                Mode = benchMode,
                Target = BenchTarget.Parse(parse.GetValue(target)!),
                Url = address,
                Connections = Math.Max(1, parse.GetValue(connections)),
                Channels = Math.Max(1, parse.GetValue(channels)),
                Rates = rates,
                PayloadBytes = Math.Max(32, parse.GetValue(payload)),
                Duration = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(duration))),
                Warmup = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(warmup))),
                Drain = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(drain))),
                ConnectRate = parse.GetValue(connectRate),
                ConnectConcurrency = parse.GetValue(concurrency),
                SourceAddresses = parse.GetValue(sources),
                Hold = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(hold))),
                IdleConnections = Math.Max(0, parse.GetValue(idle)),
                ServerPid = parse.GetValue(pid),
                StopWhenNotHeld = !parse.GetValue(keepGoing),
                RpcMethod = parse.GetValue(method)!,
                HttpPublishers = Math.Max(1, parse.GetValue(httpPublishers)),
                Json = parse.GetValue(json),
                Report = parse.GetValue(report),
            };
            return await RunAndPrintAsync(settings, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Runs one bench and prints it: the table (or JSON) on standard output, progress on standard error.</summary>
    public static async Task<int> RunAndPrintAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var progress = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsErrorRedirected)
        {
            progress.Profile.Width = 240; // A log file or pipe has no width: keep the table's columns readable.
        }

        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Console.Profile.Width = 240;
        }

        BenchReport result;
        try
        {
            result = await RunAsync(settings, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (BenchException ex)
        {
            progress.MarkupLineInterpolated($"[red]switchboard-bench: {ex.Message}[/]");
            return 1;
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or HttpRequestException or System.Net.Sockets.SocketException)
        {
            progress.MarkupLineInterpolated($"[red]switchboard-bench: cannot reach {settings.Url?.ToString() ?? "the server"}: {ex.GetBaseException().Message}[/]");
            return 1;
        }

        var text = JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchReport);
        if (settings.Json)
        {
            await Console.Out.WriteLineAsync(text).ConfigureAwait(false);
            BenchOutput.WriteSummary(progress, result);
        }
        else
        {
            BenchOutput.WriteSummary(AnsiConsole.Console, result);
        }

        if (settings.Report is { } file)
        {
            await File.WriteAllTextAsync(file.FullName, HtmlReport.Render(result, text), cancellationToken).ConfigureAwait(false);
            progress.MarkupLineInterpolated($"report written to {file.FullName}");
        }

        return 0;
    }

    /// <summary>Runs one bench and returns its numbers; progress lines go to <paramref name="progress"/>.</summary>
    public static async Task<BenchReport> RunAsync(BenchSettings settings, IAnsiConsole progress, CancellationToken cancellationToken)
    {
        using var session = new BenchSession(settings, progress);
        return settings.Mode switch
        {
            BenchMode.Connections => await new ConnectionsBenchmark(session).RunAsync(cancellationToken).ConfigureAwait(false),
            BenchMode.Rpc => await new RpcBenchmark(session).RunAsync(cancellationToken).ConfigureAwait(false),
            BenchMode.ReconnectStorm => await new ReconnectStormBenchmark(session).RunAsync(cancellationToken).ConfigureAwait(false),
            BenchMode.Cost => await new CostBenchmark(session).RunAsync(cancellationToken).ConfigureAwait(false),
            _ => await new FanoutBenchmark(session).RunAsync(cancellationToken).ConfigureAwait(false),
        };
    }

    private static bool TryParseRates(string text, out List<double> rates)
    {
        rates = [];
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Equals("max", StringComparison.OrdinalIgnoreCase))
            {
                rates.Add(0);
            }
            else if (double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                rates.Add(value);
            }
            else
            {
                return false;
            }
        }

        return rates.Count > 0;
    }
}
