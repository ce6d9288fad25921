using Stratum.LoadTest;

namespace Stratum.Tests.LoadTest;

/// <summary>The load tool's live progress: a bar on a terminal, plain lines in a file or a CI log.</summary>
public sealed class ProgressDisplayTests
{
    private static async Task<string> ShowAsync(bool terminal)
    {
        var output = new StringWriter();
        var display = new ProgressDisplay(output, terminal, plainInterval: TimeSpan.FromSeconds(5));
        // Samples every half second for 12 s, as the tool takes them.
        for (var i = 1; i <= 24; i++)
        {
            await display.ShowAsync(i * 0.5, i * 10, 240, 20, errors: i / 10, p99: 12.0);
        }
        await display.FinishAsync();
        return output.ToString();
    }

    [Fact]
    public async Task Redirected_output_gets_plain_lines_every_few_seconds_and_no_carriage_returns()
    {
        var text = await ShowAsync(terminal: false);

        Assert.DoesNotContain('\r', text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // At 0.5 s, 5.5 s and 10.5 s: one line each, with the counts of that moment; and the last sample's at the end.
        Assert.Equal(4, lines.Length);
        Assert.Equal("    0.5 s  10/240      20/s in the last 0.5 s  errors 0  p99 12 ms", lines[0]);
        Assert.Equal("    5.5 s  110/240      20/s in the last 5.0 s  errors 1  p99 12 ms", lines[1]);
        Assert.StartsWith("   10.5 s  210/240", lines[2]);
        Assert.StartsWith("   12.0 s  240/240", lines[3]);
        Assert.All(lines, l => Assert.DoesNotContain("[#", l));
    }

    [Fact]
    public async Task A_plain_line_gives_the_rate_since_the_line_before_not_that_of_its_half_second()
    {
        var output = new StringWriter();
        var display = new ProgressDisplay(output, terminal: false, plainInterval: TimeSpan.FromSeconds(5));
        // Completions in bursts: none in each line's own half second (a storage stall), 100 a second overall.
        await display.ShowAsync(0.5, 0, 2000, rate: 0, errors: 0, p99: 12.0);
        await display.ShowAsync(3.0, 500, 2000, rate: 1000, errors: 0, p99: 12.0);
        await display.ShowAsync(5.5, 500, 2000, rate: 0, errors: 0, p99: 12.0);
        await display.FinishAsync();

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("    5.5 s  500/2000     100/s in the last 5.0 s  errors 0  p99 12 ms", lines[1]);
    }

    [Fact]
    public async Task A_terminal_gets_one_bar_redrawn_in_place()
    {
        var text = await ShowAsync(terminal: true);

        Assert.Equal(24, text.Count(c => c == '\r'));
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith(Environment.NewLine, text);
        Assert.Contains("\r[##############################] 240/240", text);
    }
}
