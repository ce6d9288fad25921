using System.Net;
using Stratum.LoadTest;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.LoadTest;

/// <summary>A run against a gateway that refuses its token or lacks its folder ends at once, in one line, as a configuration error.</summary>
public sealed class GatewayCheckTests
{
    private const string Unauthenticated = """{"code":16,"message":"The token is not valid.","details":[]}""";

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, Unauthenticated, "the gateway refused the token (401): The token is not valid. Give one it accepts with --token.")]
    [InlineData(HttpStatusCode.Forbidden, """{"code":7,"message":"Permission denied.","details":[]}""",
        "the token may not use folder fld1 (403): Permission denied. Give a token with a role there, or a folder of its own.")]
    [InlineData(HttpStatusCode.NotFound, """{"code":5,"message":"Folder not found.","details":[]}""",
        "the gateway has no folder fld1 (404), or the token may not see it; --folder names an existing folder.")]
    public async Task A_refusal_is_a_configuration_error_naming_the_problem(HttpStatusCode status, string body, string message)
    {
        using var admin = new CannedAnswers((status, body)).Client();

        var refused = await Assert.ThrowsAsync<RunConfigurationException>(() => GatewayCheck.CheckAsync(admin, "fld1"));

        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public async Task A_family_without_an_image_in_the_folder_is_a_configuration_error()
    {
        // A trial's missing family failed every create and ended 1, its reason cut short in the summary.
        using var handler = new CannedAnswers((HttpStatusCode.OK, """{"id":"fld1"}"""), (HttpStatusCode.NotFound, """{"code":5,"message":"No image in family.","details":[]}"""));
        using var admin = handler.Client();

        var refused = await Assert.ThrowsAsync<RunConfigurationException>(() => GatewayCheck.CheckAsync(admin, "fld1", "nosuchfamily"));

        Assert.Equal("folder fld1 has no image in family nosuchfamily (404); --family names a family with a READY image there (default loadtest).", refused.Message);
        Assert.Equal(2, handler.Keys.Count);
    }

    [Fact]
    public async Task A_report_directory_that_cannot_be_written_is_refused_before_the_run()
    {
        // A trial's --report naming a file lost the report after the whole run, with a stack trace (134).
        var file = Path.GetTempFileName();
        var output = new StringWriter();
        var progress = new StringWriter();
        try
        {
            var exit = await LoadTestProgram.RunAsync(["deploy", "--gateway", $"http://127.0.0.1:{Tools.AzuriteProcess.FreePort()}", "--folder", "fld1", "--report", file], output, progress);

            Assert.Equal(2, exit);
            Assert.StartsWith($"--report {file}: the report cannot be written there (", progress.ToString());
            Assert.Null(ReportDirectory.Unusable(Directory.CreateTempSubdirectory("stratum-report-").FullName));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_gateway_that_fails_is_not_a_configuration_error()
    {
        using var admin = new CannedAnswers((HttpStatusCode.InternalServerError, "oops")).Client();

        await Assert.ThrowsAsync<HttpRequestException>(() => GatewayCheck.CheckAsync(admin, "fld1"));
    }

    [Fact]
    public async Task A_run_with_a_token_the_gateway_refuses_ends_2_with_one_line()
    {
        // A trial ended 3 with "Response status code does not indicate success: 401 (Unauthorized).".
        await using var gateway = RawHttpSource.Answering(
            $"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {Unauthenticated.Length}\r\nConnection: close\r\n\r\n{Unauthenticated}");
        var output = new StringWriter();
        var progress = new StringWriter();

        var exit = await LoadTestProgram.RunAsync(["deploy", "--gateway", gateway.Origin, "--token", "wrong", "--folder", "fld1"], output, progress);

        Assert.Equal(2, exit);
        Assert.Equal("the gateway refused the token (401): The token is not valid. Give one it accepts with --token." + Environment.NewLine, progress.ToString());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task A_gateway_that_never_answers_is_unreachable_not_a_crash()
    {
        // A trial's gateway took the connection and never answered: the client's timeout ended the tool with a stack trace (134).
        await using var gateway = RawHttpSource.Silent();
        using var admin = new HttpClient { BaseAddress = new Uri(gateway.Origin), Timeout = TimeSpan.FromMilliseconds(300) };

        var timedOut = await Assert.ThrowsAnyAsync<Exception>(() => GatewayCheck.CheckAsync(admin, "fld1"));

        Assert.StartsWith("the run stopped: the gateway did not answer (", Unreachable.Describe(timedOut));
        Assert.Null(Unreachable.Describe(new InvalidOperationException("a bug")));
    }

    [Fact]
    public async Task A_gateway_that_refuses_connections_is_named_as_unreachable()
    {
        // A trial's line said only "Connection refused (127.0.0.1:…)", not what refused.
        var output = new StringWriter();
        var progress = new StringWriter();

        var exit = await LoadTestProgram.RunAsync(["deploy", "--gateway", $"http://127.0.0.1:{Tools.AzuriteProcess.FreePort()}", "--folder", "fld1"], output, progress);

        Assert.Equal(3, exit);
        Assert.StartsWith("the run stopped: the gateway could not be reached (Connection refused", progress.ToString());
    }
}
