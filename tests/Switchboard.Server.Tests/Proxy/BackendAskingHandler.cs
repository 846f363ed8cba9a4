using Microsoft.Extensions.Options;
using Switchboard.Server.Handlers;
using Switchboard.Server.Proxy;

namespace Switchboard.Server.Tests.Proxy;

/// <summary>
/// A custom protocol whose <c>{"type":"ask","question":…}</c> the application's backend answers through
/// <see cref="IProxyClient"/> (at the rpc proxy URL): <c>{"type":"answer","data":…}</c> when it allows, else
/// <c>{"type":"refused","code":…,"reason":…}</c> with the backend's error or the failure (<c>unavailable</c>).
/// </summary>
public sealed class BackendAskingHandler(IProxyClient backend, IOptions<SwitchboardProxyOptions> proxyOptions) : SwitchboardHandler
{
    public override void Configure(HandlerOptions options) => options.On("ask", AskAsync);

    private async ValueTask AskAsync(HandlerConnection connection, HandlerMessage message)
    {
        var outcome = await backend.CallAsync(connection, new ProxyCall(proxyOptions.Value.Rpc.Url!) { Method = "ask", Channel = "rooms.lobby", Data = message.Json.Clone() });
        if (outcome.IsAllowed)
        {
            connection.Send(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "answer");
                w.WritePropertyName("data");
                if (outcome.ResultData is { } data)
                {
                    data.WriteTo(w);
                }
                else
                {
                    w.WriteNullValue();
                }

                w.WriteEndObject();
            });
        }
        else if (outcome.DisconnectCode is null)
        {
            connection.Send(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "refused");
                w.WriteString("code", outcome.Error!.Code);
                w.WriteString("reason", outcome.FailureReason);
                w.WriteEndObject();
            });
        }
    }
}
