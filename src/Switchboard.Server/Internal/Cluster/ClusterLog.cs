using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Internal.Cluster;

/// <summary>Log messages of the control bus between nodes (event ids 450-459).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(450, LogLevel.Warning, "Switchboard cluster: a control message from node {Node} could not be read and was dropped.")]
    public static partial void UndecodableMessage(ILogger logger, string node, Exception exception);

    [LoggerMessage(451, LogLevel.Information, "Switchboard cluster: node {Node} was lost; {Count} of its presence entries on channels watched here were removed and announced as leaves.")]
    public static partial void NodeLost(ILogger logger, string node, int count);

    [LoggerMessage(452, LogLevel.Warning, "Switchboard cluster: removing the presence entries of lost node {Node} failed; they stop being listed when its liveness key expires, without leave events.")]
    public static partial void NodeCleanupFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(453, LogLevel.Information, "Switchboard cluster: {Count} node(s) did not answer a stats survey in time: {Nodes}.")]
    public static partial void SurveyUnanswered(ILogger logger, int count, string nodes);
}
