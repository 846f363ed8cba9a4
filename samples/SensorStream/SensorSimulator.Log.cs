namespace SensorStream;

public sealed partial class SensorSimulator
{
    // A refusal is a bug in the simulator (its readings are built valid), so it is logged rather than thrown.
    [LoggerMessage(101, LogLevel.Error, "The simulated reading of sensor {SensorId} was refused: {Error}")]
    private static partial void LogReadingRefused(ILogger logger, long sensorId, string error);
}
