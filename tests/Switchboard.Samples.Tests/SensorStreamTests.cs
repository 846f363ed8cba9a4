using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/SensorStream (seed 001), started as <c>dotnet run</c> starts it, with seed 001's Python clients.</summary>
public sealed class SensorStreamTests : IAsyncLifetime
{
    private SampleProcess _sample = null!;

    public async Task InitializeAsync() =>
        _sample = await SampleProcess.StartWithDotnetRunAsync("SensorStream", "--SensorStream:OfflineAfter=00:00:02");

    public async Task DisposeAsync() => await _sample.DisposeAsync();

    [Fact]
    public async Task Seed_python_clients_see_statuses_and_readings_and_nothing_invalid() =>
        await PythonClient.RunAsync("sensor_stream.py", _sample.BaseUri.ToString());
}
