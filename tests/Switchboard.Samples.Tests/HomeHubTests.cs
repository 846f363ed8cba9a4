using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/HomeHub (seed 000): the Home Assistant WebSocket API subset with seed 000's Python clients.</summary>
public sealed class HomeHubTests : IAsyncLifetime
{
    private const string AccessToken = "homeiq-test-token";
    private SampleProcess _sample = null!;

    public async Task InitializeAsync() => _sample = await SampleProcess.StartAsync("HomeHub", $"--HomeHub:AccessToken={AccessToken}");

    public async Task DisposeAsync() => await _sample.DisposeAsync();

    [Fact]
    public async Task Seed_python_clients_authenticate_read_states_call_services_and_get_events() =>
        await PythonClient.RunAsync("home_hub.py", _sample.BaseUri.ToString(), AccessToken);
}
