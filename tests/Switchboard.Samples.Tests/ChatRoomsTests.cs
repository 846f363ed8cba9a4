using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>samples/ChatRooms (seed 004) with the seed's chat tests over Python websockets (the page runs in tests/js/samples).</summary>
public sealed class ChatRoomsTests() : RunningSample("ChatRooms")
{
    [Fact]
    public async Task Seed_chat_tests_pass_rooms_errors_and_tokens() =>
        await PythonClient.RunAsync("chat_rooms.py", Sample.BaseUri.ToString());

    [Fact]
    public async Task The_seed_test_websocket_connection_and_test_websocket_authentication_pass_as_written() =>
        await PythonClient.RunPytestAsync("seed004", expectedPassed: 2, new Dictionary<string, string> { ["CHATROOMS_URL"] = Sample.BaseUri.ToString() });
}
