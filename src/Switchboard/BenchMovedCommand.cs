using System.CommandLine;

namespace Switchboard.Host;

/// <summary>
/// <c>switchboard bench</c>, which was the load generator until it became its own tool (<c>switchboard-bench</c>, in
/// bench/Switchboard.Bench): hidden from the help, it says where the generator went and exits with 2, so that a
/// script or a shell history that still calls it fails loudly instead of running something else.
/// </summary>
internal static class BenchMovedCommand
{
    public const string Message =
        "switchboard: bench moved to its own tool, switchboard-bench, with the same modes and flags: " +
        "dotnet run -c Release --project bench/Switchboard.Bench -- MODE [flags] (see docs/performance.md).";

    public static Command Create()
    {
        var rest = new Argument<string[]>("arguments") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("bench", "Moved to switchboard-bench (bench/Switchboard.Bench).") { rest };
        command.Hidden = true;
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Error.WriteLine(Message);
            return 2;
        });
        return command;
    }
}
