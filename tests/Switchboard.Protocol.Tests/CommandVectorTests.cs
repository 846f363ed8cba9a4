using System.Text;

namespace Switchboard.Protocol.Tests;

/// <summary>
/// The command vectors (<c>tests/vectors/commands.json</c>) in both directions: the server's parser reads each one,
/// and the client's <see cref="CommandWriter"/> writes what the parser read back to the exact bytes.
/// </summary>
public sealed class CommandVectorTests
{
    private const string File = "commands.json";

    public static TheoryData<string> Valid => GoldenVectors.Cases(File, "valid");

    public static TheoryData<string> Accepted => GoldenVectors.Cases(File, "accepted");

    public static TheoryData<string> Invalid => GoldenVectors.Cases(File, "invalid");

    [Theory]
    [MemberData(nameof(Valid))]
    public void A_canonical_command_is_parsed_and_written_back_byte_for_byte(string name)
    {
        var json = (string)GoldenVectors.Find(File, "valid", name)["json"]!;
        var parsed = CommandParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal(json, Encoding.UTF8.GetString(CommandWriter.Encode(parsed.Command)));
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public void An_accepted_variant_is_written_back_in_canonical_form(string name)
    {
        var vector = GoldenVectors.Find(File, "accepted", name);
        var parsed = CommandParser.Parse(Encoding.UTF8.GetBytes((string)vector["json"]!));
        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal((string)vector["canonical"]!, Encoding.UTF8.GetString(CommandWriter.Encode(parsed.Command)));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_command_maps_to_its_documented_error(string json)
    {
        var vector = GoldenVectors.Find(File, "invalid", json);
        var result = CommandParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.False(result.IsSuccess);
        Assert.Equal((string)vector["code"]!, result.Error!.Code);
        Assert.Equal((string)vector["message"]!, result.Error.Message);
        Assert.Equal(vector["id"]?.ToString(), result.Id?.ToString());
    }

    [Fact]
    public void What_the_writer_writes_for_a_client_command_parses_to_the_same_command()
    {
        var command = new Command
        {
            Type = CommandType.History,
            Id = CommandId.FromNumber(41),
            Channel = ChannelPattern.Parse("room.1"),
            Since = new StreamPosition(3, "ep"),
            Limit = 2,
        };
        var parsed = CommandParser.Parse(CommandWriter.Encode(command)).Command!;
        Assert.Equal((command.Type, command.Id, command.Channel, command.Since, command.Limit), (parsed.Type, parsed.Id, parsed.Channel, parsed.Since, parsed.Limit));
    }

    [Fact]
    public void A_publish_without_data_or_with_invalid_raw_json_is_refused_by_the_writer()
    {
        Assert.Throws<ArgumentException>(() => CommandWriter.Encode(new Command { Type = CommandType.Publish, Channel = ChannelPattern.Parse("a") }));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => CommandWriter.Encode(new Command { Type = CommandType.Publish, Channel = ChannelPattern.Parse("a"), Data = "{oops"u8.ToArray() }));
    }
}
