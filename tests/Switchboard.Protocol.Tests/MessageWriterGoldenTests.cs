using System.Buffers;
using System.Text;
using Switchboard.Protocol;

namespace Switchboard.Protocol.Tests;

/// <summary>Golden vectors: typed server messages in, exact JSON out.</summary>
public sealed class MessageWriterGoldenTests
{
    private static string Write(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Welcome() => Assert.Equal(
        """{"type":"welcome","client":"c1","user":null,"node":"n1","ping":25,"version":1}""",
        Write(b => MessageWriter.WriteWelcome(b, "c1", null, "n1", 25)));

    [Fact]
    public void Publication_with_and_without_from()
    {
        var withFrom = new Publication("chat.general", "{\"text\":\"héllo\"}"u8.ToArray(), 43, "E", new PublisherInfo("c1", "alice"), 1700000000000);
        Assert.Equal(
            """{"type":"message","channel":"chat.general","data":{"text":"héllo"},"offset":43,"epoch":"E","from":{"client":"c1","user":"alice"},"ts":1700000000000}""",
            Encoding.UTF8.GetString(withFrom.Encoded.Span));

        var fromServer = new Publication("a", "1"u8.ToArray(), 1, "E", null, 5);
        Assert.Equal("""{"type":"message","channel":"a","data":1,"offset":1,"epoch":"E","ts":5}""", Encoding.UTF8.GetString(fromServer.Encoded.Span));
    }

    [Fact]
    public void Encoded_publication_is_cached()
    {
        var publication = new Publication("a", "1"u8.ToArray(), 1, "E", null, 5);
        Assert.True(publication.Encoded.Equals(publication.Encoded));
    }

    [Fact]
    public void Success_results()
    {
        Assert.Equal("""{"type":"result","id":7,"success":true,"result":{}}""", Write(b => MessageWriter.WriteSuccess(b, CommandId.FromNumber(7))));
        Assert.Equal(
            """{"type":"result","id":"x","success":true,"result":{"offset":3}}""",
            Write(b => MessageWriter.WriteSuccess(b, CommandId.FromText("x"), 3L, static (w, o) => w.WriteNumber("offset", o))));
        Assert.Equal("""{"type":"result","id":2,"success":true,"result":[1,2]}""", Write(b => MessageWriter.WriteSuccessRaw(b, CommandId.FromNumber(2), "[1,2]"u8)));
    }

    [Fact]
    public void Failure_result_and_error()
    {
        Assert.Equal(
            """{"type":"result","id":7,"success":false,"error":{"code":"forbidden","message":"no \"way\""}}""",
            Write(b => MessageWriter.WriteFailure(b, CommandId.FromNumber(7), new ProtocolError("forbidden", "no \"way\""))));
        Assert.Equal(
            """{"type":"error","code":"bad_request","message":"invalid JSON"}""",
            Write(b => MessageWriter.WriteCommandError(b, null, ProtocolError.BadRequest("invalid JSON"), null)));
        Assert.Equal(
            """{"type":"error","code":"not_subscribed","message":"m","ref":"unsubscribe"}""",
            Write(b => MessageWriter.WriteCommandError(b, null, new ProtocolError("not_subscribed", "m"), "unsubscribe")));
    }

    [Fact]
    public void Pong_presence_events_and_type_only_messages()
    {
        Assert.Equal("""{"type":"pong","id":3}""", Write(b => MessageWriter.WritePong(b, CommandId.FromNumber(3))));
        Assert.Equal("""{"type":"pong"}""", Write(b => MessageWriter.WritePong(b, null)));
        Assert.Equal("""{"type":"ping"}""", Encoding.UTF8.GetString(MessageWriter.Ping.Span));
        Assert.Equal(
            """{"type":"join","channel":"a","client":"c","user":"u","info":{"name":"Ann"}}""",
            Write(b => MessageWriter.WritePresenceEvent(b, true, "a", "c", "u", """{"name":"Ann"}"""u8)));
        Assert.Equal(
            """{"type":"leave","channel":"a","client":"c","user":null,"info":{}}""",
            Write(b => MessageWriter.WritePresenceEvent(b, false, "a", "c", null, default)));
        Assert.Equal("""{"type":"auth_required"}""", Write(b => MessageWriter.WriteTypeOnly(b, "auth_required")));
        Assert.Equal("""{"type":"auth_invalid","message":"expired"}""", Write(b => MessageWriter.WriteAuthInvalid(b, "expired")));
    }
}
