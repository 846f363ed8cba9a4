using System.Net;
using Switchboard.Cli.Tests.Infrastructure;
using Switchboard.Testing;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>serve</c> behind a real nginx (Debian's, started here on a free port with a generated configuration: the one
/// docs/deploy.md shows, upgrade headers and timeouts): clients connect, subscribe and receive through it, and a node
/// stopping behind it drains them with 1001.
/// </summary>
public sealed class NginxTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30); // The node drains within its 10 s DrainTimeout.

    [Fact]
    public async Task Clients_subscribe_and_receive_through_nginx_and_get_1001_when_the_node_drains()
    {
        using var directory = new TempDirectory();
        using var server = await ServeProcess.StartAsync("--Switchboard:DrainTimeout=00:00:10");
        var port = LoopbackPort.Free();
        await File.WriteAllTextAsync(directory.File("nginx.conf"), Config(directory.Path, port, server.HttpBase.Port));
        using var nginx = ChildProcess.Start("nginx", ["-p", directory.Path, "-c", directory.File("nginx.conf"), "-e", directory.File("error.log")]);
        await nginx.WaitForPortAsync(port, TimeSpan.FromSeconds(30));

        var proxied = new Uri($"ws://127.0.0.1:{port}/ws");
        await using var subscriber = await SwitchboardTestClient.ConnectAsync(proxied, expectWelcome: false);
        await using var publisher = await SwitchboardTestClient.ConnectAsync(proxied, expectWelcome: false);
        await subscriber.ReceiveTypeAsync("welcome");
        await publisher.ReceiveTypeAsync("welcome");
        await subscriber.SendRawAsync("""{"type":"subscribe","channel":"proxy.room","id":1}""");
        Assert.True((await subscriber.ReceiveTypeAsync("result"))["success"]!.GetValue<bool>());
        await publisher.SendRawAsync("""{"type":"publish","channel":"proxy.room","data":{"via":"nginx"},"id":2}""");
        Assert.True((await publisher.ReceiveTypeAsync("result"))["success"]!.GetValue<bool>());
        var message = await subscriber.ReceiveTypeAsync("message");
        Assert.Equal("nginx", message["data"]?["via"]?.GetValue<string>());

        using (var client = new HttpClient())
        {
            var ready = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        server.Process.Interrupt(); // the node behind the proxy stops: its clients get 1001 through nginx
        Assert.Equal(1001, (int?)(await subscriber.WaitForCloseAsync(ShutdownTimeout)).Status);
        Assert.Equal(1001, (int?)(await publisher.WaitForCloseAsync(ShutdownTimeout)).Status);
        Assert.Equal(0, await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    private static string Config(string prefix, int port, int upstreamPort) => $$"""
        daemon off;
        master_process off;
        worker_processes 1;
        pid {{prefix}}/nginx.pid;
        error_log {{prefix}}/error.log warn;
        events { worker_connections 256; }
        http {
            access_log off;
            client_body_temp_path {{prefix}}/body;
            proxy_temp_path {{prefix}}/proxy;
            fastcgi_temp_path {{prefix}}/fastcgi;
            uwsgi_temp_path {{prefix}}/uwsgi;
            scgi_temp_path {{prefix}}/scgi;
            map $http_upgrade $connection_upgrade { default upgrade; '' close; }
            upstream switchboard { server 127.0.0.1:{{upstreamPort}}; }
            server {
                listen 127.0.0.1:{{port}};
                location /ws {
                    proxy_pass http://switchboard;
                    proxy_http_version 1.1;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection $connection_upgrade;
                    proxy_set_header Host $host;
                    proxy_read_timeout 75s;
                    proxy_send_timeout 75s;
                    proxy_buffering off;
                }
                location /health/ { proxy_pass http://switchboard; }
            }
        }
        """;
}
