using System.Buffers;
using System.Text;

namespace Switchboard.Protocol.Tests;

/// <summary>
/// The server message vectors (<c>tests/vectors/server-messages.json</c>) in both directions: the client's
/// <see cref="ServerMessageReader"/> and <see cref="ReplyReader"/> decode each one, and the server's
/// <see cref="MessageWriter"/> and <see cref="ReplyWriter"/> write what was decoded back to the exact bytes.
/// </summary>
public sealed class ServerMessageVectorTests
{
    private const string File = "server-messages.json";

    public static TheoryData<string> Messages => GoldenVectors.Cases(File, "messages");

    public static TheoryData<string> Ignored => GoldenVectors.Cases(File, "ignored");

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_server_message_is_decoded_and_written_back_byte_for_byte(string name)
    {
        var vector = GoldenVectors.Find(File, "messages", name);
        var json = (string)vector["json"]!;
        var message = ServerMessageReader.Read(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(message);
        Assert.NotEqual(ServerMessageType.Unknown, message.Type);
        Assert.Equal(json, WriteBack(message, (string?)vector["reply"]));
    }

    [Fact]
    public void A_message_of_an_unknown_type_is_kept_as_unknown()
    {
        var vector = GoldenVectors.Load(File)["unknown"]!.AsArray()[0]!;
        var message = ServerMessageReader.Read(Encoding.UTF8.GetBytes((string)vector["json"]!))!;
        Assert.Equal(ServerMessageType.Unknown, message.Type);
        Assert.Equal("future_thing", message.TypeName);
    }

    [Theory]
    [MemberData(nameof(Ignored))]
    public void What_is_not_a_typed_object_is_dropped(string name) =>
        Assert.Null(ServerMessageReader.Read(Encoding.UTF8.GetBytes((string)GoldenVectors.Find(File, "ignored", name)["json"]!)));

    [Fact]
    public void Decoded_fields_are_the_ones_sent()
    {
        var welcome = Read("""{"type":"welcome","client":"c2","user":"alice","node":"n1","ping":10,"version":1}""");
        Assert.Equal(("c2", "alice", "n1", 10, 1), (welcome.Client, welcome.User, welcome.Node, welcome.PingSeconds, welcome.Version));

        var publication = Read("""{"type":"message","channel":"a.b","data":{"x":[1]},"offset":43,"epoch":"E","from":{"client":"c1","user":null},"ts":7}""").Publication!;
        Assert.Equal(("a.b", 43L, "E", new PublisherInfo("c1", null), 7L), (publication.Channel, publication.Offset, publication.Epoch, publication.From, publication.Timestamp));
        Assert.Equal("""{"x":[1]}""", Encoding.UTF8.GetString(publication.Data.Span));

        var send = Read("""{"type":"message","channel":"a","data":"hi","ts":5}""").Publication!;
        Assert.Equal((0L, "", (PublisherInfo?)null), (send.Offset, send.Epoch, send.From));

        var failed = Read("""{"type":"result","id":"x","success":false,"error":{"code":"forbidden","message":"no"}}""");
        Assert.Equal((CommandId.FromText("x"), false, new ProtocolError("forbidden", "no")), (failed.Id!.Value, failed.Success, failed.Error));

        var limited = Read("""{"type":"welcome","client":"c","user":null,"node":"n","ping":25,"version":1,"limits":{"commands_per_second":100,"command_burst":200}}""");
        Assert.Equal((100, 200), (limited.CommandsPerSecond, limited.CommandBurst));
        Assert.Equal(10, Read("""{"type":"result","id":1,"success":false,"error":{"code":"rate_limited","message":"m","retry_after_ms":10}}""").Error!.RetryAfterMs);
        Assert.Equal(10, Read("""{"type":"error","code":"rate_limited","message":"m","retry_after_ms":10}""").Error!.RetryAfterMs);
        Assert.Null(failed.Error!.RetryAfterMs);

        var subscribed = Read("""{"type":"result","id":1,"success":true,"result":{"channel":"c","offset":3,"epoch":"e","recovered":true,"publications":[{"type":"message","channel":"c","data":2,"offset":3,"epoch":"e","ts":1}]}}""");
        var reply = ReplyReader.ReadSubscribe(subscribed.Result.Span, "c");
        Assert.Equal((new StreamPosition(3, "e"), (bool?)true), (reply.Position, reply.Recovered));
        Assert.Equal(3, Assert.Single(reply.Publications).Offset);

        Assert.True(reply.Data.IsEmpty);
        var withData = ReplyReader.ReadSubscribe(Read("""{"type":"result","id":2,"success":true,"result":{"channel":"o.1","offset":5,"epoch":"e","data":{"status":"paid"}}}""").Result.Span, "o.1");
        Assert.Equal("""{"status":"paid"}""", Encoding.UTF8.GetString(withData.Data.Span));
        Assert.Equal("""{"a":[1]}""", Encoding.UTF8.GetString(Read("""{"type":"welcome","client":"c","user":"u","node":"n","ping":25,"version":1,"data":{"a":[1]}}""").Data.Span));
        Assert.True(welcome.Data.IsEmpty);

        var history = ReplyReader.ReadHistory(Read("""{"type":"result","id":3,"success":true,"result":{"publications":[],"offset":5,"epoch":"E","recovered":false}}""").Result.Span, "a");
        Assert.Equal((new StreamPosition(5, "E"), false), (history.Position, history.Complete));

        var join = Read("""{"type":"join","channel":"a","client":"c","user":"u","info":{"name":"Ann"}}""");
        Assert.Equal(("a", "c", "u", """{"name":"Ann"}"""), (join.Channel, join.Member!.Client, join.Member.User, Encoding.UTF8.GetString(join.Member.Info.Span)));
    }

    [Fact]
    public void Fields_of_the_wrong_type_read_as_absent_and_the_message_is_still_decoded()
    {
        var message = Read("""{"type":"message","channel":7,"data":1,"offset":"x","epoch":null,"from":"c","ts":true,"extra":[{}]}""");
        var publication = message.Publication!;
        Assert.Equal(("", 0L, "", (PublisherInfo?)null, 0L), (publication.Channel, publication.Offset, publication.Epoch, publication.From, publication.Timestamp));
    }

    [Fact]
    public void Array_elements_that_are_not_objects_are_skipped_and_a_non_array_reads_as_empty()
    {
        var history = ReplyReader.ReadHistory("""{"publications":[1,{"data":2,"offset":4,"epoch":"e"},"x",null],"offset":4,"epoch":"e"}"""u8, "a");
        var kept = Assert.Single(history.Publications);
        Assert.Equal(("a", "2", 4L), (kept.Channel, Encoding.UTF8.GetString(kept.Data.Span), kept.Offset));
        Assert.Empty(ReplyReader.ReadHistory("""{"publications":{"data":1},"offset":1,"epoch":"e"}"""u8, "a").Publications);

        var member = Assert.Single(ReplyReader.ReadPresence("""{"clients":[[],{"client":"c1","user":"u"},true]}"""u8));
        Assert.Equal(("c1", "u", "{}"), (member.Client, member.User, Encoding.UTF8.GetString(member.Info.Span)));
        Assert.Empty(ReplyReader.ReadPresence("""{"clients":"c1"}"""u8));
    }

    private static ServerMessage Read(string json) => ServerMessageReader.Read(Encoding.UTF8.GetBytes(json))!;

    /// <summary>Writes a decoded message with the server's writers; <paramref name="reply"/> names a result body's command.</summary>
    private static string WriteBack(ServerMessage m, string? reply)
    {
        var b = new ArrayBufferWriter<byte>();
        switch (m.Type)
        {
            case ServerMessageType.Welcome:
                MessageWriter.WriteWelcome(b, m.Client!, m.User, m.Node!, m.PingSeconds, m.CommandsPerSecond, m.CommandBurst, m.Data.Span);
                break;
            case ServerMessageType.Message:
                MessageWriter.WritePublication(b, m.Publication!);
                break;
            case ServerMessageType.Result when !m.Success:
                MessageWriter.WriteFailure(b, m.Id!.Value, m.Error!);
                break;
            case ServerMessageType.Result:
                WriteSuccess(b, m.Id!.Value, m.Result, reply);
                break;
            case ServerMessageType.Error:
                MessageWriter.WriteError(b, m.Error!, m.Ref);
                break;
            case ServerMessageType.Ping:
                b.Write(MessageWriter.Ping.Span);
                break;
            case ServerMessageType.Pong:
                MessageWriter.WritePong(b, m.Id);
                break;
            case ServerMessageType.Join or ServerMessageType.Leave:
                MessageWriter.WritePresenceEvent(b, m.Type == ServerMessageType.Join, m.Channel!, m.Member!.Client, m.Member.User, m.Member.Info.Span);
                break;
            case ServerMessageType.Unsubscribe:
                MessageWriter.WriteUnsubscribe(b, m.Channel!, m.Reason!, m.Resubscribe);
                break;
            case ServerMessageType.AuthInvalid:
                MessageWriter.WriteAuthInvalid(b, m.Message!);
                break;
            default:
                MessageWriter.WriteTypeOnly(b, m.TypeName);
                break;
        }

        return Encoding.UTF8.GetString(b.WrittenSpan);
    }

    private static void WriteSuccess(ArrayBufferWriter<byte> b, CommandId id, ReadOnlyMemory<byte> result, string? reply)
    {
        switch (reply)
        {
            case "subscribe":
                MessageWriter.WriteSuccess(b, id, ReplyReader.ReadSubscribe(result.Span, ""), ReplyWriter.WriteSubscribe);
                break;
            case "history":
                MessageWriter.WriteSuccess(b, id, ReplyReader.ReadHistory(result.Span, ""), ReplyWriter.WriteHistory);
                break;
            case "publish":
                MessageWriter.WriteSuccess(b, id, ReplyReader.ReadPublish(result.Span), ReplyWriter.WritePublish);
                break;
            case "presence":
                MessageWriter.WriteSuccess(b, id, ReplyReader.ReadPresence(result.Span), ReplyWriter.WritePresence);
                break;
            case "refresh":
                MessageWriter.WriteSuccess(b, id, ReplyReader.ReadRefresh(result.Span), ReplyWriter.WriteRefresh);
                break;
            case "empty":
                MessageWriter.WriteSuccess(b, id);
                break;
            default:
                MessageWriter.WriteSuccessRaw(b, id, result.Span);
                break;
        }
    }
}
