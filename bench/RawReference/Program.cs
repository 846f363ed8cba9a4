using Switchboard.Bench.RawReference;

// dotnet run -c Release --project bench/RawReference -- --urls http://127.0.0.1:5200
var app = RawReferenceServer.Build(args);
await app.RunAsync();
