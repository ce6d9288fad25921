namespace Stratum.Cli.Commands;

[Description("An image's own access bindings.")]
internal sealed class ListBindingsCommand(CliEnvironment environment) : ApiCommand<IdSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, IdSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        PrintList(settings, await api.GetAsync($"{Images.Path}/{settings.Id}:listAccessBindings", cancellation), "accessBindings", "roleId", "subject.type", "subject.id");
        return ExitCodes.Ok;
    }
}

internal sealed class BindingSettings : DeleteSettings
{
    [CommandOption("--role <ROLE>")]
    [Description("viewer, editor, admin or compute.images.user.")]
    public string? Role { get; init; }

    [CommandOption("--subject <TYPE:ID>")]
    [Description("userAccount:ID, serviceAccount:ID or system:allAuthenticatedUsers.")]
    public string? Subject { get; init; }

    public override ValidationResult Validate()
    {
        if (Role is null || Subject is null)
        {
            return ValidationResult.Error("--role and --subject are required.");
        }
        var colon = Subject.IndexOf(':');
        return colon <= 0 || colon == Subject.Length - 1
            ? ValidationResult.Error($"--subject '{Subject}' must be TYPE:ID, e.g. userAccount:bob.")
            : base.Validate();
    }

    public JsonObject Delta(string action)
    {
        var subject = Subject ?? "";
        var colon = subject.IndexOf(':');
        return new()
        {
        ["action"] = action,
        ["accessBinding"] = new JsonObject
        {
            ["roleId"] = Role,
            ["subject"] = new JsonObject { ["type"] = subject[..colon], ["id"] = subject[(colon + 1)..] },
        },
        };
    }
}

internal abstract class ChangeBindingCommand(CliEnvironment environment, string action) : ApiCommand<BindingSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, BindingSettings settings, CancellationToken cancellation)
    {
        using var api = Api(settings);
        var body = new JsonObject { ["accessBindingDeltas"] = new JsonArray(settings.Delta(action)) };
        var operation = await api.PostAsync($"{Images.Path}/{settings.Id}:updateAccessBindings", body, cancellation);
        if (settings.Async)
        {
            Print(settings, operation, "operation");
            return ExitCodes.Ok;
        }
        StratumApi.ResponseOf(await api.WaitAsync(operation, cancellation));
        PrintList(settings, await api.GetAsync($"{Images.Path}/{settings.Id}:listAccessBindings", cancellation), "accessBindings", "roleId", "subject.type", "subject.id");
        return ExitCodes.Ok;
    }
}

[Description("Grant a role on an image.")]
internal sealed class AddBindingCommand(CliEnvironment environment) : ChangeBindingCommand(environment, "ADD");

[Description("Take a role on an image away.")]
internal sealed class RemoveBindingCommand(CliEnvironment environment) : ChangeBindingCommand(environment, "REMOVE");
