using System.CommandLine;
using Switchboard.Client;

namespace Switchboard.Host;

/// <summary>The options <c>sub</c> and <c>pub</c> share: where to connect and with which token.</summary>
internal sealed class ClientCommandOptions
{
    public const string DefaultUrl = "ws://localhost:8000/ws";

    public Option<string> Url { get; } = new("--url")
    {
        Description = "The server's WebSocket endpoint.",
        DefaultValueFactory = _ => DefaultUrl,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "A token (JWT) to connect with. Default: the SWITCHBOARD_TOKEN environment variable, if set.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(Token);
    }

    /// <summary>Client options from the parsed flags.</summary>
    /// <exception cref="ArgumentException">A flag is invalid; the message says which.</exception>
    public SwitchboardClientOptions Build(ParseResult parse, ReconnectPolicy reconnect)
    {
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("SWITCHBOARD_TOKEN");
        var options = new SwitchboardClientOptions
        {
            Url = Uri.TryCreate(parse.GetValue(Url), UriKind.Absolute, out var url) ? url : null,
            Reconnect = reconnect,
            TokenProvider = string.IsNullOrEmpty(token) ? null : _ => ValueTask.FromResult<string?>(token),
        };
        options.Validate();
        return options;
    }

    /// <summary>Reports connection changes on stderr, so that stdout carries only data.</summary>
    public static void ReportStateOnStderr(SwitchboardClient client) => client.StateChanged += (_, e) =>
    {
        if (e.Current == ConnectionState.Reconnecting && e.RetryIn is { } delay)
        {
            Console.Error.WriteLine($"switchboard: connection lost ({e.Disconnect?.CloseCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no close code"}: {e.Disconnect?.Reason}); retrying in {delay.TotalSeconds:0.0} s");
        }
        else if (e.Current == ConnectionState.Connected && e.Previous == ConnectionState.Reconnecting)
        {
            Console.Error.WriteLine("switchboard: reconnected");
        }
    };
}
