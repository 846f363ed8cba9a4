using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Switchboard.Protocol;

namespace Switchboard.Protocol.Tests;

/// <summary>Whatever bytes arrive, the parser never throws and every failure is a documented error code.</summary>
public sealed class ParserPropertyTests
{
    private static readonly string[] Seeds =
    [
        """{"type":"subscribe","id":1,"channel":"chat.general","since":{"offset":3,"epoch":"e"},"presence":true}""",
        """{"type":"publish","id":"x","channel":"a.b","data":{"n":[1,2,{"k":null}]},"key":"k"}""",
        """{"type":"rpc","id":2,"method":"time","params":[1,"a"]}""",
        """{"type":"history","channel":"a","limit":5}""",
        """{"type":"auth","token":"eyJhbGciOiJIUzI1NiJ9.e30.sig"}""",
    ];

    private static bool IsDocumented(ParseResult result) =>
        result.IsSuccess || (ErrorCodes.All.Contains(result.Error!.Code) && result.Error.Message.Length is > 0 and < 200);

    [Property(MaxTest = 2000)]
    public bool Random_bytes_never_throw(byte[] bytes) => IsDocumented(CommandParser.Parse(bytes));

    [Property(MaxTest = 2000)]
    public bool Random_strings_never_throw(string? text) => IsDocumented(CommandParser.Parse(Encoding.UTF8.GetBytes(text ?? string.Empty)));

    [Property(MaxTest = 3000)]
    public Property Mutated_messages_never_throw()
    {
        var mutations =
            from seed in Gen.Elements(Seeds)
            from position in Gen.Choose(0, 200)
            from kind in Gen.Choose(0, 3)
            from value in Gen.Choose(0, 255)
            select Mutate(Encoding.UTF8.GetBytes(seed), position, kind, (byte)value);
        return Prop.ForAll(mutations.ToArbitrary(), bytes => IsDocumented(CommandParser.Parse(bytes)));
    }

    [Property(MaxTest = 3000)]
    public Property The_client_side_reader_never_throws_on_mutated_server_messages()
    {
        string[] seeds =
        [
            """{"type":"result","id":1,"success":true,"result":{"channel":"c","offset":3,"epoch":"e","recovered":true,"publications":[{"type":"message","channel":"c","data":2,"offset":3,"epoch":"e","from":{"client":"a","user":null},"ts":1}]}}""",
            """{"type":"join","channel":"a","client":"c","user":"u","info":{"name":"Ann"}}""",
            """{"type":"result","id":"x","success":false,"error":{"code":"forbidden","message":"no"}}""",
        ];
        var mutations =
            from seed in Gen.Elements(seeds)
            from position in Gen.Choose(0, 200)
            from kind in Gen.Choose(0, 3)
            from value in Gen.Choose(0, 255)
            select Mutate(Encoding.UTF8.GetBytes(seed), position, kind, (byte)value);

        // A message that still decodes has a type; the reply readers take any body it carries without throwing (a
        // mutation may empty "channel", so only its presence is checked: an exception is what fails this property).
        return Prop.ForAll(mutations.ToArbitrary(), bytes => ServerMessageReader.Read(bytes) is not { } message
            || (message.TypeName is not null && ReplyReader.ReadSubscribe(message.Result.Span, "c").Channel is not null && ReplyReader.ReadPresence(message.Result.Span) is not null));
    }

    [Property(MaxTest = 1000)]
    public bool Valid_channel_names_are_accepted_by_publish(NonEmptyString segmentSource)
    {
        var name = new string(segmentSource.Get.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-').Take(50).ToArray());
        if (name.Length == 0)
        {
            return true;
        }

        var result = CommandParser.Parse(Encoding.UTF8.GetBytes($$"""{"type":"publish","channel":"x.{{name}}","data":1}"""));
        return result.IsSuccess && result.Command.Channel!.Value == $"x.{name}";
    }

    private static byte[] Mutate(byte[] bytes, int position, int kind, byte value)
    {
        var list = bytes.ToList();
        var at = position % (list.Count + 1);
        switch (kind)
        {
            case 0 when at < list.Count:
                list[at] = value;
                break;
            case 1:
                list.Insert(at, value);
                break;
            case 2 when at < list.Count:
                list.RemoveAt(at);
                break;
            default:
                list.RemoveRange(at, list.Count - at);
                break;
        }

        return [.. list];
    }
}
