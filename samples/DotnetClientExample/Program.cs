using DotnetClientExample;

// Start a server with `switchboard serve`, then: dotnet run --project samples/DotnetClientExample [ws://host:port/ws]
var url = new Uri(args.Length > 0 ? args[0] : "ws://localhost:8000/ws");
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
return await ChatExample.RunAsync(url, Console.Out, cts.Token);
