using Stratum.Cli;

// `stratum`: the command-line tool of Stratum (see README "The stratum CLI").
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C stops the command cleanly (an upload keeps what it sent); a second one kills.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};
return await CliApp.RunAsync(args, CliEnvironment.FromProcess(), cancellation.Token);
