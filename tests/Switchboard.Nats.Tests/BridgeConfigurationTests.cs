using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Host;
using Switchboard.Nats.Internal;
using Switchboard.Server;

namespace Switchboard.Nats.Tests;

/// <summary>Bridge options: subject/channel mapping both ways, and validation at start with messages naming the setting.</summary>
public sealed class BridgeConfigurationTests
{
    [Theory]
    [InlineData("order.*", "orders.{1}", "order.created", "orders.created")]
    [InlineData("payment.completed", null, "payment.completed", "payment.completed")]
    [InlineData("sensors.>", null, "sensors.hall.temp", "sensors.hall.temp")]
    [InlineData("sensors.*.>", "live.{1}", "sensors.hall.temp", "live.hall")]
    [InlineData("a.*.*", "x.{2}.{1}", "a.b.c", "x.c.b")]
    public void Subjects_map_to_channels_by_template(string subject, string? channel, string natsSubject, string expected)
    {
        var route = Compile(new NatsBridgeOptions { Subject = subject, Channel = channel });
        Assert.Equal(expected, route.ChannelFor(natsSubject));
    }

    [Theory]
    [InlineData("order.*", "orders.{1}", "orders.created", "order.created")]
    [InlineData("order.*", "orders.{1}", "other.created", null)]
    [InlineData("order.*", "orders.{1}", "orders.created.extra", null)]
    [InlineData("a.*.*", "x.{2}.{1}", "x.c.b", "a.b.c")]
    [InlineData("a.*", "{0}.{1}", "b.c", null)] // {0} is the literal 'a'
    [InlineData("a.*", "{0}.{1}", "a.c", "a.c")]
    [InlineData("sensors.>", null, "sensors.hall.temp", "sensors.hall.temp")]
    public void Channels_map_back_to_subjects(string subject, string? channel, string switchboardChannel, string? expected)
    {
        var route = Compile(new NatsBridgeOptions { Subject = subject, Channel = channel, Direction = "both" });
        Assert.Equal(expected, route.SubjectFor(switchboardChannel));
    }

    [Fact]
    public void A_subject_token_that_is_not_a_valid_channel_segment_yields_no_channel()
    {
        var route = Compile(new NatsBridgeOptions { Subject = "order.*", Channel = "orders.{1}" });
        Assert.Null(route.ChannelFor("order.bad#token"));
    }

    [Theory]
    [InlineData(null, "order.*", null, null, null, "Switchboard:Nats:Url is required")]
    [InlineData("http://x:4222", "order.*", null, null, null, "must be nats://host:port")]
    [InlineData("nats://127.0.0.1:4222", null, null, null, null, "Switchboard:Nats:Bridges:0:Subject is required")]
    [InlineData("nats://127.0.0.1:4222", "order.>.x", null, null, null, "'>' must be the last token")]
    [InlineData("nats://127.0.0.1:4222", "order.*", "orders.{5}", null, null, "{5} must be {N} with N a token of the subject")]
    [InlineData("nats://127.0.0.1:4222", "order.*", "orders.x{1}", null, null, "must be a channel name segment or a whole {N}")]
    [InlineData("nats://127.0.0.1:4222", "order.*", "orders.all", "both", null, "must contain {1} to carry channels back to NATS")]
    [InlineData("nats://127.0.0.1:4222", "order.*", null, "sideways", null, "Direction 'sideways' is not one of nats-to-channels, channels-to-nats, both")]
    [InlineData("nats://127.0.0.1:4222", "order.*", null, null, "xml", "Payload 'xml' is not one of json, wrapped")]
    public void Invalid_options_fail_with_a_message_naming_the_setting(string? url, string? subject, string? channel, string? direction, string? payload, string expected)
    {
        var options = new SwitchboardNatsOptions { Url = url };
        options.Bridges.Add(new NatsBridgeOptions { Subject = subject, Channel = channel, Direction = direction, Payload = payload });

        var result = new SwitchboardNatsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage);
    }

    [Fact]
    public void A_password_in_the_url_never_appears_in_a_message()
    {
        var options = new SwitchboardNatsOptions { Url = "http://user:s3cret@host:4222" };
        var result = new SwitchboardNatsOptionsValidator().Validate(null, options);
        Assert.DoesNotContain("s3cret", result.FailureMessage);
    }

    [Fact]
    public async Task Serve_bridges_when_a_nats_url_is_configured_and_reports_bad_bridges_at_start()
    {
        await using (var app = ServeCommand.BuildApp("http://127.0.0.1:0", null, ["--Switchboard:Nats:Url=nats://127.0.0.1:4222", "--Switchboard:Nats:Bridges:0:Subject=order.*", "--Switchboard:Nats:Bridges:0:Channel=orders.{1}"]))
        {
            Assert.Contains(app.Services.GetServices<IPublicationObserver>(), static o => o is NatsForwarder);
            Assert.Single(app.Services.GetRequiredService<IOptions<SwitchboardNatsOptions>>().Value.Bridges);
        }

        // serve prints "switchboard: invalid configuration: ..." with these failures and exits with 2.
        var error = Assert.Throws<OptionsValidationException>(() => ServeCommand.BuildApp("http://127.0.0.1:0", null, ["--Switchboard:Nats:Url=nats://127.0.0.1:4222", "--Switchboard:Nats:Bridges:0:Subject=order.*", "--Switchboard:Nats:Bridges:0:Direction=up"]));
        Assert.Contains("Switchboard:Nats:Bridges:0:Direction 'up' is not one of", string.Join(" ", error.Failures));

        await using (var app = ServeCommand.BuildApp("http://127.0.0.1:0", null, []))
        {
            Assert.DoesNotContain(app.Services.GetServices<IPublicationObserver>(), static o => o is NatsForwarder);
        }
    }

    private static BridgeRoute Compile(NatsBridgeOptions bridge)
    {
        var errors = new List<string>();
        var route = BridgeRoute.TryCreate(bridge, "bridge", "switchboard", errors);
        Assert.Empty(errors);
        return route!;
    }
}
