using Stratum.LoadTest;

namespace Stratum.Tests.LoadTest;

/// <summary>A --kill-silo-at run says when it killed a silo, and its summary says so too (a trial's never did).</summary>
public sealed class SiloKillTests
{
    [Fact]
    public async Task The_kill_is_said_as_it_happens_and_returned_for_the_summary()
    {
        var progress = new StringWriter();
        var kills = 0;

        var killed = await SiloKill.AtAsync(TimeSpan.Zero, () => { kills++; return "silo2"; }, () => 2.04, new ProgressDisplay(progress, terminal: false), CancellationToken.None);

        Assert.Equal(1, kills);
        Assert.Equal("silo2 at 2.0 s (SIGKILL)", killed);
        Assert.Equal("killed silo2 at 2.0 s (SIGKILL)" + Environment.NewLine, progress.ToString());
    }

    [Fact]
    public async Task On_a_terminal_the_note_replaces_the_bar_drawn_so_far()
    {
        var progress = new StringWriter();
        var display = new ProgressDisplay(progress, terminal: true);
        await display.ShowAsync(1, 10, 100, 10, 0, 5);

        await SiloKill.AtAsync(TimeSpan.Zero, () => "silo2", () => 1.5, display, CancellationToken.None);

        Assert.EndsWith("\r\u001b[Kkilled silo2 at 1.5 s (SIGKILL)" + Environment.NewLine, progress.ToString());
    }

    [Fact]
    public async Task No_silo_is_killed_once_the_run_has_ended()
    {
        var progress = new StringWriter();
        var kills = 0;

        var killed = await SiloKill.AtAsync(TimeSpan.Zero, () => { kills++; return "silo2"; }, () => 0, new ProgressDisplay(progress, terminal: false), new CancellationToken(canceled: true));

        Assert.Null(killed);
        Assert.Equal(0, kills);
        Assert.Empty(progress.ToString());
    }

    [Fact]
    public void The_summary_names_the_silo_killed()
    {
        var report = new Report("deploy", "gateway", 10, 10, 0, new Dictionary<string, int>(), 1, 10, new Latency(1, 1, 1, 1), null, null, null, null,
            SiloKilled: "silo2 at 2.0 s (SIGKILL)");

        Assert.Contains(report.Table().Split(Environment.NewLine), line => line.TrimStart().StartsWith("silo killed", StringComparison.Ordinal)
            && line.EndsWith("silo2 at 2.0 s (SIGKILL)", StringComparison.Ordinal));
    }
}
