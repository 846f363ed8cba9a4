using System.CommandLine;
using Switchboard.Bench;

return await BenchCommand.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
