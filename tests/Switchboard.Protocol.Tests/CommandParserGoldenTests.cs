using System.Text;
using Switchboard.Protocol;

namespace Switchboard.Protocol.Tests;

/// <summary>Client JSON in, typed command out: the typed fields (the shared vectors in tests/vectors/commands.json hold the
/// documented errors and the byte-exact round trips).</summary>
public sealed class CommandParserGoldenTests
{
    private static ParseResult Parse(string json) => CommandParser.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Subscribe_with_since_and_presence()
    {
        var result = Parse("""{"type":"subscribe","id":7,"channel":"chat.general","since":{"offset":42,"epoch":"e1"},"presence":true}""");
        Assert.True(result.IsSuccess);
        var command = result.Command;
        Assert.Equal(CommandType.Subscribe, command.Type);
        Assert.Equal(CommandId.FromNumber(7), command.Id);
        Assert.Equal("chat.general", command.Channel!.Value);
        Assert.Equal(new StreamPosition(42, "e1"), command.Since);
        Assert.True(command.Presence);
    }

    [Fact]
    public void Subscribe_to_a_wildcard_pattern()
    {
        var command = Parse("""{"type":"subscribe","channel":"sensors.>"}""").Command!;
        Assert.True(command.Channel!.IsWildcard);
        Assert.Null(command.Id);
    }

    [Fact]
    public void Publish_keeps_data_bytes_exactly_as_sent()
    {
        const string data = """{"a": [1, 2.50, "x\u00e9"], "b": null}""";
        var command = Parse($$"""{"type":"publish","id":"p-1","channel":"a.b","data":{{data}},"key":"k1"}""").Command!;
        Assert.Equal(CommandType.Publish, command.Type);
        Assert.Equal("p-1", command.Id!.Value.Text);
        Assert.Equal(data, Encoding.UTF8.GetString(command.Data.Span));
        Assert.Equal("k1", command.Key);
    }

    [Theory]
    [InlineData("""{"type":"publish","channel":"a","data":null}""", "null")]
    [InlineData("""{"type":"publish","channel":"a","data":"text"}""", "\"text\"")]
    [InlineData("""{"type":"publish","channel":"a","data":0}""", "0")]
    [InlineData("""{"data":[true],"channel":"a","type":"publish"}""", "[true]")]
    public void Publish_accepts_any_json_value_as_data(string json, string expectedData)
    {
        var command = Parse(json).Command!;
        Assert.Equal(expectedData, Encoding.UTF8.GetString(command.Data.Span));
    }

    [Fact]
    public void Rpc_history_presence_ping_pong_refresh_auth()
    {
        var rpc = Parse("""{"type":"rpc","id":1,"method":"time","params":{"tz":"UTC"}}""").Command!;
        Assert.Equal("time", rpc.Method);
        Assert.Equal("""{"tz":"UTC"}""", Encoding.UTF8.GetString(rpc.Params.Span));

        var history = Parse("""{"type":"history","channel":"a","limit":10,"since":{"offset":0,"epoch":"x"}}""").Command!;
        Assert.Equal(10, history.Limit);
        Assert.Equal(new StreamPosition(0, "x"), history.Since);

        Assert.Equal(CommandType.Presence, Parse("""{"type":"presence","channel":"a"}""").Command!.Type);
        Assert.Equal(CommandType.Ping, Parse("""{"type":"ping"}""").Command!.Type);
        Assert.Equal(CommandType.Pong, Parse("""{"type":"pong"}""").Command!.Type);
        Assert.Equal("t", Parse("""{"type":"refresh","token":"t"}""").Command!.Token);
        Assert.Equal("t", Parse("""{"type":"auth","token":"t"}""").Command!.Token);
    }

    [Fact]
    public void Unknown_fields_are_ignored_and_escaped_names_are_understood()
    {
        var command = Parse("""{"\u0074ype":"ping","extra":{"deep":[1,{"x":2}]},"v":2}""").Command!;
        Assert.Equal(CommandType.Ping, command.Type);
    }

    [Fact]
    public void A_string_id_longer_than_64_characters_is_rejected()
    {
        var result = Parse($$"""{"type":"ping","id":"{{new string('x', 65)}}"}""");
        Assert.Equal("bad_request", result.Error!.Code);
        Assert.Null(result.Id);
    }

    [Fact]
    public void Channel_of_255_characters_is_valid_and_256_is_not()
    {
        Assert.True(Parse($$"""{"type":"subscribe","channel":"{{new string('a', 255)}}"}""").IsSuccess);
        Assert.Equal("channel is longer than 255 characters", Parse($$"""{"type":"subscribe","channel":"{{new string('a', 256)}}"}""").Error!.Message);
    }

    [Fact]
    public void Invalid_utf8_is_a_bad_request()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"type":"publish","channel":"a","data":"xx"}""");
        bytes[^4] = 0xC3;
        bytes[^3] = 0x28;
        var result = CommandParser.Parse(bytes);
        Assert.Equal("bad_request", result.Error!.Code);
        Assert.Equal("message is not valid UTF-8", result.Error.Message);
    }

    [Theory]
    [InlineData("""{"id":7,"type":"subscribe","channel":"chat.\ud800"}""", 7L)]
    [InlineData("""{"type":"\udc00","id":8}""", null)]
    [InlineData("""{"id":"\ud800x","type":"ping"}""", null)]
    public void A_string_that_escapes_a_lone_surrogate_is_a_bad_request(string json, long? id)
    {
        var result = Parse(json);
        Assert.Equal("bad_request", result.Error!.Code);
        Assert.Equal("a string escapes a lone surrogate", result.Error.Message);
        Assert.Equal(id, result.Id?.Number);
    }

    [Fact]
    public void Deeply_nested_data_is_rejected_not_overflowed()
    {
        var json = """{"type":"publish","channel":"a","data":""" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.Equal("bad_request", Parse(json).Error!.Code);
    }
}
