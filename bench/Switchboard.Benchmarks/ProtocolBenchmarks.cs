using System.Buffers;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocol;

namespace Switchboard.Benchmarks;

/// <summary>The pure protocol: parse a command, encode a publication, match channel patterns.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private readonly byte[] _publish = System.Text.Encoding.UTF8.GetBytes(
        "{\"type\":\"publish\",\"id\":7,\"channel\":\"chat.general\",\"data\":{\"s\":1,\"t\":1,\"p\":\"" + new string('x', 108) + "\"}}");

    private readonly byte[] _subscribe = "{\"type\":\"subscribe\",\"id\":8,\"channel\":\"sensors.>\",\"since\":{\"offset\":41,\"epoch\":\"abcd\"}}"u8.ToArray();
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private readonly Publication _publication = new(
        "chat.general", System.Text.Encoding.UTF8.GetBytes("{\"s\":1,\"t\":1,\"p\":\"" + new string('x', 108) + "\"}"), 43, "e1f2a3b4", new PublisherInfo("c0ffee", "alice"), 1_700_000_000_000);

    private readonly ChannelPattern _oneSegment = ChannelPattern.Parse("sensors.*.temperature");
    private readonly ChannelPattern _tail = ChannelPattern.Parse("sensors.>");

    [Benchmark]
    public ParseResult ParsePublish() => CommandParser.Parse(_publish);

    [Benchmark]
    public ParseResult ParseSubscribe() => CommandParser.Parse(_subscribe);

    [Benchmark]
    public int EncodePublication()
    {
        _output.ResetWrittenCount();
        MessageWriter.WritePublication(_output, _publication);
        return _output.WrittenCount;
    }

    [Benchmark]
    public bool MatchOneSegmentWildcard() => _oneSegment.Matches("sensors.basement.temperature");

    [Benchmark]
    public bool MatchTailWildcardMiss() => _tail.Matches("actuators.basement.valve");
}
