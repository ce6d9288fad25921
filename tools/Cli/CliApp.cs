using Stratum.Cli.Commands;

namespace Stratum.Cli;

/// <summary>The `stratum` command tree, in the habits of a provider's CLI (`stratum image create ...`).</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellation = default)
    {
        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(CliEnvironment), environment);
        var app = new CommandApp(registrar);
        app.Configure(config =>
        {
            config.ConfigureConsole(environment.Out);
            Configure(config, environment);
        });
        string[] arranged;
        try
        {
            arranged = LeadingOptions.MoveAfterCommand(args);
        }
        catch (UsageException e)
        {
            return Fail(environment, e);
        }
        return await app.RunAsync(arranged, cancellation);
    }

    public static void Configure(IConfigurator config, CliEnvironment environment)
    {
        config.SetApplicationName("stratum");
        // An option the command does not know is a mistake to report, not an argument to ignore.
        config.UseStrictParsing();
        config.SetExceptionHandler((exception, _) => Fail(environment, exception));
        config.AddBranch("config", c =>
        {
            c.SetDescription("Endpoint, token and folder kept in a file; flags and STRATUM_* variables override it.");
            c.AddCommand<ConfigSetCommand>("set").WithExample("config", "set", "endpoint", "http://127.0.0.1:8080");
            c.AddCommand<ConfigListCommand>("list");
        });
        config.AddBranch("folder", c =>
        {
            c.SetDescription("Folders: where resources live, with roles and quotas.");
            c.AddCommand<FolderCreateCommand>("create");
            c.AddCommand<ListCommand<Folders>>("list");
            c.AddCommand<GetCommand<Folders>>("get");
        });
        config.AddBranch("quota", c =>
        {
            c.SetDescription("A folder's quotas.");
            c.AddCommand<QuotaListCommand>("list");
            c.AddCommand<QuotaSetCommand>("set").WithExample("quota", "set", "compute.images.size", "2T");
        });
        config.AddBranch("image", c =>
        {
            c.SetDescription("Images: upload, import, copy, list, resolve families, download.");
            c.AddCommand<ImageCreateCommand>("create").WithExample("image", "create", "--name", "web-v1", "--family", "web", "--file", "disk.qcow2");
            c.AddCommand<ListCommand<Images>>("list");
            c.AddCommand<GetCommand<Images>>("get");
            c.AddCommand<ImageUpdateCommand>("update");
            c.AddCommand<DeleteCommand<Images>>("delete");
            c.AddCommand<ImageDeprecateCommand>("deprecate");
            c.AddCommand<FamiliesCommand>("families");
            c.AddCommand<LatestFromFamilyCommand>("get-latest-from-family");
            c.AddCommand<WatchFamilyCommand>("watch-family");
            c.AddCommand<ImageDownloadCommand>("download").WithExample("image", "download", "img…", "--to", "disk.qcow2");
            c.AddCommand<ListBindingsCommand>("list-access-bindings");
            c.AddCommand<AddBindingCommand>("add-access-binding").WithExample("image", "add-access-binding", "img…", "--role", "compute.images.user", "--subject", "userAccount:bob");
            c.AddCommand<RemoveBindingCommand>("remove-access-binding");
        });
        config.AddBranch("disk", c =>
        {
            c.SetDescription("Disks.");
            c.AddCommand<DiskCreateCommand>("create");
            c.AddCommand<ListCommand<Disks>>("list");
            c.AddCommand<GetCommand<Disks>>("get");
            c.AddCommand<DeleteCommand<Disks>>("delete");
        });
        config.AddBranch("snapshot", c =>
        {
            c.SetDescription("Snapshots of disks.");
            c.AddCommand<SnapshotCreateCommand>("create");
            c.AddCommand<ListCommand<Snapshots>>("list");
            c.AddCommand<GetCommand<Snapshots>>("get");
            c.AddCommand<DeleteCommand<Snapshots>>("delete");
        });
        config.AddBranch("instance", c =>
        {
            c.SetDescription("Instances (VMs).");
            c.AddCommand<InstanceCreateCommand>("create");
            c.AddCommand<BulkCreateCommand>("bulk-create").WithExample("instance", "bulk-create", "--count", "100", "--name-prefix", "web", "--source-family", "web", "--boot-disk-size", "10G");
            c.AddCommand<ListCommand<Instances>>("list");
            c.AddCommand<GetCommand<Instances>>("get");
            c.AddCommand<DeleteCommand<Instances>>("delete");
        });
        config.AddBranch("layer", c =>
        {
            c.SetDescription("Pooled base layers.");
            c.AddCommand<GetCommand<Layers>>("get");
        });
        config.AddBranch("operation", c =>
        {
            c.SetDescription("Operations.");
            c.AddCommand<GetCommand<Operations>>("get");
            c.AddCommand<OperationWaitCommand>("wait");
        });
    }

    /// <summary>Exit code 1 with the API's code and message when it refused, 2 for a wrong command line.</summary>
    private static int Fail(CliEnvironment environment, Exception exception)
    {
        var err = environment.Err;
        switch (exception)
        {
            case ApiException api:
                err.MarkupLineInterpolated($"[red]ERROR[/] code {api.Code}: {TerminalText.Safe(api.Message)}");
                return ExitCodes.Refused;
            case TransferException transfer:
                err.MarkupLineInterpolated($"[red]ERROR[/] {TerminalText.Safe(transfer.Message)}");
                return ExitCodes.Refused;
            case UsageException or CommandAppException:
                err.MarkupLineInterpolated($"[red]ERROR[/] {exception.Message}");
                return ExitCodes.Usage;
            case OperationCanceledException:
                err.MarkupLine("[yellow]Cancelled.[/]");
                return 130;
            default:
                err.MarkupLineInterpolated($"[red]ERROR[/] {exception.GetType().Name}: {TerminalText.Safe(exception.Message)}");
                return ExitCodes.Refused;
        }
    }
}
