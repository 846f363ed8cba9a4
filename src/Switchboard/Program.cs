using System.CommandLine;
using Switchboard.Host;

var root = new RootCommand("Switchboard: real-time messaging over WebSockets.")
{
    ServeCommand.Create(),
    Switchboard.Host.Bench.BenchCommand.Create(),
};

// Ctrl+C and SIGTERM are left to the generic host's console lifetime, which drains connections before exiting.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
