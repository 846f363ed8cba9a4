using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/HomeHub (seed 000): the Home Assistant WebSocket API subset with seed 000's Python clients.</summary>
public sealed class HomeHubTests() : RunningSample("HomeHub", $"--HomeHub:AccessToken={AccessToken}")
{
    private const string AccessToken = "homeiq-test-token";

    [Fact]
    public async Task Seed_python_clients_authenticate_read_states_call_services_and_get_events() =>
        await PythonClient.RunAsync("home_hub.py", Sample.BaseUri.ToString(), AccessToken);
}
