using System.CommandLine;

namespace Switchboard.Host;

/// <summary>The <c>switchboard</c> command line.</summary>
internal static class SwitchboardCli
{
    public static RootCommand Create() => new("Switchboard: real-time messaging over WebSockets.")
    {
        ServeCommand.Create(),
        CheckConfigCommand.Create(),
        CheckTokenCommand.Create(),
        TokenCommand.Create(),
        SubCommand.Create(),
        PubCommand.Create(),
        SimulateCommand.Create(),
        BenchMovedCommand.Create(),
    };
}
