using System.Text;
using System.Text.Json;
using FsCheck.Xunit;
using Switchboard.Protocol;

namespace Switchboard.Protocol.Tests;

/// <summary>The intake rule for publication data and publish keys: golden cases both ways, and no input ever throws.</summary>
public sealed class PublicationDataTests
{
    [Theory]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("\"caf\u00e9 \u2603 \U0001F600\"")]
    [InlineData("{\"a\":[1,{\"b\":\"\\ud83d\\ude00\"}]}")]
    [InlineData("  {\"spaced\":true}  ")]
    public void One_json_value_in_valid_utf8_is_accepted(string json) =>
        Assert.Null(PublicationData.Validate(Encoding.UTF8.GetBytes(json), 1024));

    [Theory]
    [InlineData(new byte[] { (byte)'"', 0xC3, 0x28, (byte)'"' }, "data is not valid UTF-8")] // a lead byte without its continuation
    [InlineData(new byte[] { (byte)'"', 0xED, 0xA0, 0x80, (byte)'"' }, "data is not valid UTF-8")] // an encoded surrogate
    [InlineData(new byte[] { (byte)'"', 0xC0, 0xAF, (byte)'"' }, "data is not valid UTF-8")] // an overlong form
    [InlineData(new byte[] { (byte)'"', 0xFF, (byte)'"' }, "data is not valid UTF-8")]
    [InlineData(new byte[0], "data must be a JSON value")]
    [InlineData(new byte[] { (byte)'1', (byte)' ', (byte)'2' }, "data must be one JSON value")]
    [InlineData(new byte[] { (byte)'{', (byte)'x' }, "data is not valid JSON")]
    public void Anything_else_is_a_bad_request_that_says_what_is_wrong(byte[] data, string message)
    {
        var error = PublicationData.Validate(data, 1024);
        Assert.Equal(ErrorCodes.BadRequest, error?.Code);
        Assert.Equal(message, error?.Message);
    }

    [Fact]
    public void Data_over_the_limit_is_too_large_whatever_else_it_is()
    {
        var error = PublicationData.Validate(Encoding.UTF8.GetBytes("\"12345678\""), 9);
        Assert.Equal(ErrorCodes.TooLarge, error?.Code);
        Assert.Equal("data is 10 bytes, more than the 9 a subscriber can receive", error?.Message);
        Assert.Null(PublicationData.Validate(Encoding.UTF8.GetBytes("\"1234567\""), 9));
    }

    [Property(MaxTest = 2000)]
    public bool Random_bytes_never_throw_and_pass_only_when_they_are_utf8_json(byte[] bytes)
    {
        var error = PublicationData.Validate(bytes, int.MaxValue);
        return error is null ? IsUtf8Json(bytes) : error.Code == ErrorCodes.BadRequest;
    }

    [Theory]
    [InlineData("k", null)]
    [InlineData("order-42", null)]
    [InlineData("NATS:upper-case-is-not-the-prefix", null)]
    [InlineData("", "key must be 1-64 characters")]
    [InlineData("nats:INVOICES:5", "keys starting with 'nats:' are reserved for the NATS bridge")]
    [InlineData("nats:", "keys starting with 'nats:' are reserved for the NATS bridge")]
    public void Keys_are_1_to_64_characters_outside_the_bridges_prefix(string key, string? error) =>
        Assert.Equal(error, PublishKey.Validate(key));

    [Fact]
    public void A_key_of_65_characters_is_refused() =>
        Assert.Equal("key must be 1-64 characters", PublishKey.Validate(new string('k', 65)));

    private static bool IsUtf8Json(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            return false;
        }
    }
}
