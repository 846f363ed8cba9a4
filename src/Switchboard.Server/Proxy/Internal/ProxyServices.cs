using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Switchboard.Server.Proxy.Internal;

/// <summary>Registers the proxy: its options, the HTTP client and its resilience pipeline, and its metrics.</summary>
internal static class ProxyServices
{
    /// <summary>Failures within this window decide whether the circuit opens.</summary>
    private static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(10);

    public static void AddSwitchboardProxy(this IServiceCollection services)
    {
        services.AddOptions<SwitchboardProxyOptions>().BindConfiguration(SwitchboardProxyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardProxyOptions>, SwitchboardProxyOptionsValidator>());
        services.AddSwitchboardSettings(SwitchboardProxyOptions.SectionName, typeof(SwitchboardProxyOptions));
        services.TryAddSingleton<ProxyCircuit>();
        services.TryAddSingleton<ProxyMetrics>();
        services.TryAddSingleton<ProxyClient>();
        services.TryAddSingleton<ProxyConnect>();
        services.TryAddSingleton<IProxyClient, HandlerProxyClient>();
        services.AddHttpClient(ProxyClient.HttpClientName, static (sp, client) =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // The call's own budget and the pipeline's timeout decide.
                client.MaxResponseContentBufferSize = sp.GetRequiredService<IOptions<SwitchboardProxyOptions>>().Value.MaxResponseSize;
            })
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                // The forwarded Cookie header goes as given, and never to wherever a redirect points.
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
            })
            .RemoveAllLoggers() // A line per call is the metrics' job; failures are logged by ProxyClient.
            .AddResilienceHandler("switchboard-proxy", static (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<SwitchboardProxyOptions>>().Value;
                var circuit = context.ServiceProvider.GetRequiredService<ProxyCircuit>();

                // Outermost the bound on calls in flight (a flood queues at most MaxQueuedCalls, the rest are refused
                // at once), then the breaker, then each call's timeout, which the breaker counts as a failure. No
                // retry: a publish must not reach the backend twice, and the client can retry on unavailable.
                pipeline.AddConcurrencyLimiter(options.MaxConcurrentCalls, options.MaxQueuedCalls)
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = 0.5,
                        MinimumThroughput = 10,
                        SamplingDuration = SamplingDuration,
                        BreakDuration = options.BreakDuration,
                        StateProvider = circuit.State,
                    })
                    .AddTimeout(options.Timeout);
            });
    }
}
