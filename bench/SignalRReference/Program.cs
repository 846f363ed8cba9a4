using Switchboard.Bench.SignalRReference;

// dotnet run -c Release --project bench/SignalRReference -- --urls http://127.0.0.1:5100
var app = SignalRReferenceServer.Build(args);
await app.RunAsync();
