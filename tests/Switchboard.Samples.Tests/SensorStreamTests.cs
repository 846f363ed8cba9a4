using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/SensorStream (seed 001), started as <c>dotnet run</c> starts it, with seed 001's Python clients.</summary>
public sealed class SensorStreamTests() : RunningSample("SensorStream", "--SensorStream:OfflineAfter=00:00:02")
{
    protected override bool WithDotnetRun => true;

    [Fact]
    public async Task Seed_python_clients_see_statuses_and_readings_and_nothing_invalid() =>
        await PythonClient.RunAsync("sensor_stream.py", Sample.BaseUri.ToString());
}
