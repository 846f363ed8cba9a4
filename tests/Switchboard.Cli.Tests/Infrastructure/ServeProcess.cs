using System.Text.RegularExpressions;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests.Infrastructure;

/// <summary><c>switchboard serve</c> as a child process on a free 127.0.0.1 port, with its address once it listens.</summary>
internal sealed class ServeProcess : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private ServeProcess(ChildProcess process, Uri httpBase)
    {
        Process = process;
        HttpBase = httpBase;
        Http = new HttpClient { BaseAddress = httpBase, Timeout = TimeSpan.FromSeconds(30) };
    }

    public ChildProcess Process { get; }

    /// <summary>E.g. <c>http://127.0.0.1:41234/</c> (or https).</summary>
    public Uri HttpBase { get; }

    public Uri WebSocketUri => new($"{(HttpBase.Scheme == "https" ? "wss" : "ws")}://{HttpBase.Authority}/ws");

    public HttpClient Http { get; }

    /// <summary>Starts <c>serve --urls http://127.0.0.1:0</c> plus <paramref name="args"/> and waits until it listens.</summary>
    public static Task<ServeProcess> StartAsync(params string[] args) => StartAsync(args, null, "http://127.0.0.1:0");

    public static async Task<ServeProcess> StartAsync(string[] args, IReadOnlyDictionary<string, string>? environment, string urls, string? workingDirectory = null)
    {
        var process = ChildProcess.Switchboard(["serve", "--urls", urls, .. args], environment, workingDirectory);
        try
        {
            var match = await process.WaitForLineAsync(@"listening on (https?://[^\s,]+)", StartTimeout);
            return new ServeProcess(process, new Uri(match.Groups[1].Value + "/"));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>GET <paramref name="path"/>: the status code and body.</summary>
    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path.TrimStart('/'), UriKind.Relative));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>GET <c>/metrics</c>, parsed. Waits out the exporter's short scrape cache first, so the answer is not a stale one.</summary>
    public async Task<PrometheusText> ScrapeAsync()
    {
        await Task.Delay(400);
        var (status, body) = await GetAsync("/metrics");
        Xunit.Assert.Equal(200, status);
        return new PrometheusText(body);
    }

    /// <summary>Polls GET <paramref name="path"/> until it answers <paramref name="status"/> (a state change such as an outage has no event to wait on from outside).</summary>
    public async Task<string> WaitForStatusAsync(string path, int status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = (Status: 0, Body: string.Empty);
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(path);
            if (last.Status == status)
            {
                return last.Body;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"GET {path} did not answer {status} within {timeout.TotalSeconds:0} s; last {last.Status}: {last.Body}");
    }

    public void Dispose()
    {
        Http.Dispose();
        Process.Dispose();
    }
}
