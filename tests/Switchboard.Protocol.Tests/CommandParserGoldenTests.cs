using System.Text;
using Switchboard.Protocol;

namespace Switchboard.Protocol.Tests;

/// <summary>Golden vectors: client JSON in, typed command or documented error out.</summary>
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

    [Theory]
    [InlineData("{bad json", "bad_request", "invalid JSON", null)]
    [InlineData("[1,2]", "bad_request", "message must be a JSON object", null)]
    [InlineData("\"ping\"", "bad_request", "message must be a JSON object", null)]
    [InlineData("", "bad_request", "invalid JSON", null)]
    [InlineData("""{"id":5}""", "bad_request", "missing type", "5")]
    [InlineData("""{"type":"nope","id":6}""", "unknown_type", "unknown type 'nope'", "6")]
    [InlineData("""{"type":7,"id":"x"}""", "bad_request", "type must be a string", "x")]
    [InlineData("""{"type":"subscribe","id":1}""", "bad_request", "missing channel", "1")]
    [InlineData("""{"type":"subscribe","id":1,"channel":5}""", "bad_request", "channel must be a string", "1")]
    [InlineData("""{"type":"subscribe","id":1,"channel":""}""", "bad_request", "channel is empty", "1")]
    [InlineData("""{"type":"subscribe","id":1,"channel":"a..b"}""", "bad_request", "channel has an empty segment", "1")]
    [InlineData("""{"type":"subscribe","id":1,"channel":"a b"}""", "bad_request", "channel contains a character outside A-Z a-z 0-9 _ - . : @ /", "1")]
    [InlineData("""{"type":"subscribe","id":1,"channel":"a.>.b"}""", "bad_request", "'>' is only allowed as the last segment", "1")]
    [InlineData("""{"type":"subscribe","id":1,"channel":"a.b*"}""", "bad_request", "a wildcard must be a whole segment", "1")]
    [InlineData("""{"type":"publish","id":1,"channel":"a.*","data":1}""", "bad_request", "wildcards are only allowed in subscribe", "1")]
    [InlineData("""{"type":"publish","id":1,"channel":"a"}""", "bad_request", "missing data", "1")]
    [InlineData("""{"type":"publish","id":1,"channel":"a","data":1,"key":""}""", "bad_request", "key must be 1-64 characters", "1")]
    [InlineData("""{"type":"history","id":1,"channel":"a","limit":0}""", "bad_request", "limit must be a positive integer", "1")]
    [InlineData("""{"type":"history","id":1,"channel":"a","limit":"5"}""", "bad_request", "limit must be a positive integer", "1")]
    [InlineData("""{"type":"subscribe","id":1,"channel":"a","since":{"offset":-1,"epoch":"e"}}""", "bad_request", "since must be an object with a non-negative integer offset and a string epoch", "1")]
    [InlineData("""{"type":"subscribe","id":1,"channel":"a","since":5}""", "bad_request", "since must be an object with offset and epoch", "1")]
    [InlineData("""{"type":"subscribe","id":1,"channel":"a","presence":"yes"}""", "bad_request", "presence must be true or false", "1")]
    [InlineData("""{"type":"rpc","id":1}""", "bad_request", "missing method", "1")]
    [InlineData("""{"type":"refresh","id":1}""", "bad_request", "missing token", "1")]
    [InlineData("""{"type":"ping","id":0}""", "bad_request", "id must be a positive integer or a string of 1-64 characters", null)]
    [InlineData("""{"type":"ping","id":-3}""", "bad_request", "id must be a positive integer or a string of 1-64 characters", null)]
    [InlineData("""{"type":"ping","id":1.5}""", "bad_request", "id must be a positive integer or a string of 1-64 characters", null)]
    [InlineData("""{"type":"ping","id":true}""", "bad_request", "id must be a positive integer or a string of 1-64 characters", null)]
    [InlineData("""{"type":"ping"} {"type":"ping"}""", "bad_request", "invalid JSON", null)]
    [InlineData("""{"id":9,"type":"ping",""", "bad_request", "invalid JSON", "9")]
    public void Invalid_messages_map_to_documented_errors(string json, string code, string message, string? id)
    {
        var result = Parse(json);
        Assert.False(result.IsSuccess);
        Assert.Equal(code, result.Error!.Code);
        Assert.Equal(message, result.Error.Message);
        Assert.Equal(id, result.Id?.ToString());
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

    [Fact]
    public void Deeply_nested_data_is_rejected_not_overflowed()
    {
        var json = """{"type":"publish","channel":"a","data":""" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.Equal("bad_request", Parse(json).Error!.Code);
    }
}
