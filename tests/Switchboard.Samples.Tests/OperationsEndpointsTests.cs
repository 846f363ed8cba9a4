using System.Net;
using Switchboard.Samples.Tests.Infrastructure;

namespace Switchboard.Samples.Tests;

/// <summary>Every sample serves the operations endpoints <c>switchboard serve</c> has: <c>/health/live</c>, <c>/health/ready</c> and Prometheus' <c>/metrics</c>.</summary>
public sealed class OperationsEndpointsTests
{
    [Theory]
    [InlineData("ChatRooms")]
    [InlineData("HomeHub", "--HomeHub:AccessToken=operations-test")]
    [InlineData("LiveUpdates", "--Switchboard:Auth:Secret=operations-test-secret-of-32-bytes-or-more")]
    [InlineData("SensorStream")]
    [InlineData("SignIn")]
    [InlineData("TopicManager")]
    public async Task The_sample_answers_health_live_health_ready_and_metrics_with_the_switchboard_meter(string sample, params string[] settings)
    {
        await using var running = await SampleProcess.StartAsync(sample, settings);
        using var http = new HttpClient { BaseAddress = running.BaseUri, Timeout = TimeSpan.FromSeconds(60) };

        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            using var health = await http.GetAsync(path);
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"{sample} {path}: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
        }

        using var metrics = await http.GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.True(metrics.StatusCode == HttpStatusCode.OK, $"{sample} /metrics: {(int)metrics.StatusCode} {text}");
        Assert.Contains("switchboard_channel_active", text, StringComparison.Ordinal);
    }
}
