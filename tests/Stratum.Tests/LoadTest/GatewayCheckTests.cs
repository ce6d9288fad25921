using System.Net;
using System.Net.Sockets;
using System.Text;
using Stratum.LoadTest;

namespace Stratum.Tests.LoadTest;

/// <summary>A run against a gateway that refuses its token or lacks its folder ends at once, in one line, as a configuration error.</summary>
public sealed class GatewayCheckTests
{
    private const string Unauthenticated = """{"code":16,"message":"The token is not valid.","details":[]}""";

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, Unauthenticated, "the gateway refused the token (401): The token is not valid. Give one it accepts with --token.")]
    [InlineData(HttpStatusCode.Forbidden, """{"code":7,"message":"Permission denied.","details":[]}""",
        "the token may not use folder fld1 (403): Permission denied. Give a token with a role there, or a folder of its own.")]
    [InlineData(HttpStatusCode.NotFound, """{"code":5,"message":"Folder not found.","details":[]}""", "the gateway has no folder fld1 (404); --folder names an existing folder.")]
    public async Task A_refusal_is_a_configuration_error_naming_the_problem(HttpStatusCode status, string body, string message)
    {
        using var admin = new HttpClient(new Answers(status, body)) { BaseAddress = new Uri("http://127.0.0.1:1") };

        var refused = await Assert.ThrowsAsync<RunConfigurationException>(() => GatewayCheck.CheckAsync(admin, "fld1"));

        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public async Task A_gateway_that_fails_is_not_a_configuration_error()
    {
        using var admin = new HttpClient(new Answers(HttpStatusCode.InternalServerError, "oops")) { BaseAddress = new Uri("http://127.0.0.1:1") };

        await Assert.ThrowsAsync<HttpRequestException>(() => GatewayCheck.CheckAsync(admin, "fld1"));
    }

    [Fact]
    public async Task A_run_with_a_token_the_gateway_refuses_ends_2_with_one_line()
    {
        // A trial ended 3 with "Response status code does not indicate success: 401 (Unauthorized).".
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var gateway = AnswerEveryRequestAsync(listener, $"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {Unauthenticated.Length}\r\nConnection: close\r\n\r\n{Unauthenticated}");
        var output = new StringWriter();
        var progress = new StringWriter();

        var exit = await LoadTestProgram.RunAsync(["deploy", "--gateway", $"http://127.0.0.1:{port}", "--token", "wrong", "--folder", "fld1"], output, progress);

        Assert.Equal(2, exit);
        Assert.Equal("the gateway refused the token (401): The token is not valid. Give one it accepts with --token." + Environment.NewLine, progress.ToString());
        Assert.Empty(output.ToString());
        listener.Stop();
        await gateway;
    }

    /// <summary>A bare HTTP/1.1 server: reads each request's head and answers it the same, until stopped.</summary>
    private static async Task AnswerEveryRequestAsync(TcpListener listener, string answer)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            using (client)
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer);
                    if (read == 0)
                    {
                        break;
                    }
                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                await stream.WriteAsync(Encoding.UTF8.GetBytes(answer));
            }
        }
    }

    private sealed class Answers(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
