using System.Net;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans.Streams;
using Stratum.Changes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Security;

/// <summary>
/// The Orleans-client path is no back door: a process that reaches a silo's gateway acts only as
/// the caller of a token a silo verified, and only through the public interfaces of Stratum.Abstractions.
/// Every grain interface of Stratum (public and internal) is called, every method, as a client would.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ClientCallGuardTests(GatewayFixture fixture)
{
    private static readonly Caller Admin = Caller.User("admin");
    private readonly HttpClient _admin = fixture.Stratum.Http();

    /// <summary>Each grain interface of Stratum, by name: those of Stratum.Abstractions and those internal to the silos.</summary>
    public static TheoryData<string> Interfaces()
    {
        var data = new TheoryData<string>();
        foreach (var type in new[] { typeof(Caller).Assembly, typeof(Stratum.Access.Authorizer).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t) && t.GetMethods().Any(m => !m.IsStatic)))
        {
            data.Add(type.FullName!);
        }
        return data;
    }

    /// <summary>Tokens that name no one the silos know, and the lack of one.</summary>
    private static IEnumerable<(string Kind, string? Token)> BadTokens() =>
    [
        ("missing", null),
        ("forged", "forged-token-of-admin"),
        ("signed with another key", Stratum.Security.JwtIssuer.Issue(new() { Issuer = TestCallers.Jwt.Issuer, Audience = "stratum", SigningKey = "an-attackers-own-signing-key-32-bytes!" }, Admin, TimeSpan.FromHours(1))),
        ("expired", TestCallers.JwtFor(Admin, TimeSpan.FromMinutes(-10))),
    ];

    [Theory]
    [MemberData(nameof(Interfaces))]
    public async Task A_client_with_a_forged_or_missing_token_is_refused_on_every_method(string interfaceName)
    {
        var world = await WorldAsync();
        var type = Type.GetType($"{interfaceName}, {typeof(Caller).Assembly.FullName}") ?? typeof(Stratum.Access.Authorizer).Assembly.GetType(interfaceName, throwOnError: true)!;
        var isPublic = type.Assembly == typeof(Caller).Assembly;
        var before = await SnapshotAsync(world);
        var served = new List<string>();
        foreach (var method in type.GetMethods().Where(m => !m.IsStatic))
        {
            var cases = BadTokens().ToList();
            if (!isPublic)
            {
                // Internal interfaces are refused whatever the token, a platform admin's included.
                cases.Add(("a platform admin's", "dev-admin"));
            }
            else if (method.GetParameters().Any(p => p.ParameterType == typeof(Caller)))
            {
                // A valid token does not let a client name another caller.
                cases.Add(("bob's, naming admin", "dev-bob"));
            }
            foreach (var (kind, token) in cases)
            {
                var refusal = await RefusalAsync(type, method, world, token);
                var expected = !isPublic || kind.StartsWith("bob", StringComparison.Ordinal) ? ErrorCode.PermissionDenied : ErrorCode.Unauthenticated;
                if (refusal?.Code != expected)
                {
                    served.Add($"{type.Name}.{method.Name} with a {kind} token: {refusal?.Code.ToString() ?? "served"} ({refusal?.Message})");
                }
            }
        }
        Assert.True(served.Count == 0, string.Join(Environment.NewLine, served));
        Assert.Equal(before, await SnapshotAsync(world));
    }

    [Fact]
    public async Task A_console_client_cannot_make_itself_admin()
    {
        var world = await WorldAsync();
        var grains = fixture.Stratum.Client;
        var grant = new[] { new AccessBindingDelta(AccessBindingAction.Add, new AccessBinding("admin", new Subject("mallory", SubjectType.UserAccount))) };

        // As the 20-line client of the issue did: name admin, with no token or a forged one.
        var bare = await Assert.ThrowsAsync<StratumException>(() => grains.GetGrain<IFolderGrain>(world.FolderId).UpdateAccessBindingsAsync(Admin, grant, null));
        Assert.Equal(ErrorCode.Unauthenticated, bare.Code);
        using (BearerToken.Use("dev-admin-forged"))
        {
            var forged = await Assert.ThrowsAsync<StratumException>(() => grains.GetGrain<IFolderDirectoryGrain>(0).CreateAsync(Admin, new CreateFolderRequest("mallory"), null));
            Assert.Equal(ErrorCode.Unauthenticated, forged.Code);
        }
        using (TestCallers.ActAs(Caller.User("mallory")))
        {
            var named = await Assert.ThrowsAsync<StratumException>(() => grains.GetGrain<IFolderGrain>(world.FolderId).UpdateAccessBindingsAsync(Admin, grant, null));
            Assert.Equal(ErrorCode.PermissionDenied, named.Code);
            Assert.Contains("userAccount:mallory", named.Message);
        }

        var bindings = (await _admin.GetReplyAsync($"/resource-manager/v1/folders/{world.FolderId}:listAccessBindings")).Body!.ToJsonString();
        Assert.DoesNotContain("mallory", bindings);
    }

    [Fact]
    public async Task A_verified_caller_is_served_and_decided_by_the_authorizer()
    {
        var world = await WorldAsync();
        var catalog = fixture.Stratum.Client.GetGrain<IImageCatalogGrain>(0);
        var carol = Caller.Service("carol-ci");
        await _admin.DoneAsync(HttpMethod.Post, $"/resource-manager/v1/folders/{world.FolderId}:updateAccessBindings", new
        {
            accessBindingDeltas = new[] { new { action = "ADD", accessBinding = new { roleId = "viewer", subject = new { id = "carol-ci", type = "serviceAccount" } } } },
        });

        using (TestCallers.ActAs(carol))
        {
            Assert.Equal(carol, await fixture.Stratum.Client.GetGrain<IIdentityGrain>(0).WhoAmIAsync());
            Assert.Equal(world.ImageId, (await catalog.GetLatestByFamilyAsync(carol, world.FolderId, "base-os")).Id);
            var denied = await Assert.ThrowsAsync<StratumException>(() => fixture.Stratum.Client.GetGrain<IImageGrain>(world.ImageId).DeleteAsync(carol, null));
            Assert.Equal(ErrorCode.PermissionDenied, denied.Code);
        }
        using (TestCallers.ActAs(Caller.User("bob")))
        {
            Assert.Equal(Caller.User("bob"), await fixture.Stratum.Client.GetGrain<IIdentityGrain>(0).WhoAmIAsync());
            var hidden = await Assert.ThrowsAsync<StratumException>(() => catalog.GetLatestByFamilyAsync(Caller.User("bob"), world.FolderId, "base-os"));
            Assert.Equal(ErrorCode.NotFound, hidden.Code);
        }
        var nobody = await Assert.ThrowsAsync<StratumException>(() => fixture.Stratum.Client.GetGrain<IIdentityGrain>(0).WhoAmIAsync());
        Assert.Equal(ErrorCode.Unauthenticated, nobody.Code);
    }

    [Fact]
    public async Task Orleans_interfaces_of_Stratum_grains_are_refused_and_Orleans_own_grains_keep_working()
    {
        var world = await WorldAsync();
        var grains = fixture.Stratum.Client;
        var image = grains.GetGrain<IImageGrain>(world.ImageId).GetGrainId();
        using (TestCallers.ActAs(Admin))
        {
            var reminder = await Assert.ThrowsAsync<StratumException>(() => grains.GetGrain<IRemindable>(image).ReceiveReminder("reconcile", default));
            Assert.Equal(ErrorCode.PermissionDenied, reminder.Code);
        }

        // Membership and management, stream pub-sub: Orleans' own, served to a client without a token.
        Assert.NotEmpty(await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true));
        var stream = grains.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);
        var subscription = await stream.SubscribeAsync((_, _) => Task.CompletedTask);
        await subscription.UnsubscribeAsync();
    }

    [Fact]
    public async Task A_token_does_not_travel_on_with_the_events_its_call_causes()
    {
        var world = await WorldAsync();
        var grains = fixture.Stratum.Client;
        var heard = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = grains.GetStreamProvider(ChangeFeed.ProviderName).GetStream<ChangeEvent>(ChangeFeed.Stream);
        var subscription = await stream.SubscribeAsync((change, _) =>
        {
            if (change.Kind == ChangeKind.ImageDeprecated && change.ResourceId == world.ImageId)
            {
                // What the subscriber's request context holds: Orleans imports the publisher's with each event.
                heard.TrySetResult(BearerToken.Current ?? "");
            }
            return Task.CompletedTask;
        });
        try
        {
            var token = TestCallers.JwtFor(Admin);
            using (BearerToken.Use(token))
            {
                await grains.GetGrain<IImageGrain>(world.ImageId).DeprecateAsync(Admin, new DeprecateRequest(DeprecationState.Deprecated, null), null);
            }
            var carried = await heard.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("", carried);
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    private sealed record World(string FolderId, string ImageId);

    /// <summary>Client calls refused by the silos' guards so far (the fixture's collection runs one test at a time).</summary>
    private long Refusals() => fixture.Stratum.Cluster.GetActiveSilos()
        .SelectMany(s => s.SiloHost.Services.GetServices<IIncomingGrainCallFilter>().OfType<Stratum.Access.ClientCallGuard>())
        .Sum(g => g.Refusals);

    private async Task<World> WorldAsync()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family = "base-os", uri = fixture.Files.Add(Names.Unique("guard"), DiskImages.Raw(4096)) });
        return new World(folderId, image.Str("id"));
    }

    /// <summary>What a refused call must leave as it was: the folder, its bindings and quotas, the image, and the folders an admin sees.</summary>
    private async Task<string> SnapshotAsync(World world)
    {
        var parts = new List<string>();
        foreach (var path in new[]
        {
            $"/resource-manager/v1/folders/{world.FolderId}", $"/resource-manager/v1/folders/{world.FolderId}:listAccessBindings",
            $"/compute/v1/folders/{world.FolderId}/quotas", $"/compute/v1/images/{world.ImageId}", $"/compute/v1/images/{world.ImageId}:listAccessBindings",
            $"/compute/v1/images?folderId={world.FolderId}", $"/compute/v1/instances?folderId={world.FolderId}", $"/compute/v1/disks?folderId={world.FolderId}",
        })
        {
            var reply = await _admin.GetReplyAsync(path);
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            parts.Add(reply.Text);
        }
        return string.Join('\n', parts);
    }

    /// <summary>Calls the method through the test cluster's client, as another process would, and returns how it was refused (null: served).</summary>
    private async Task<StratumException?> RefusalAsync(Type type, MethodInfo method, World world, string? token)
    {
        var grains = fixture.Stratum.Client;
        var grain = typeof(IGrainWithIntegerKey).IsAssignableFrom(type) ? grains.GetGrain(type, 0L) : grains.GetGrain(type, KeyOf(type, world, fixture.Stratum.Cluster.GetActiveSilos().First().SiloAddress.ToParsableString()));
        var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(Caller) ? Admin
            : p.ParameterType == typeof(string) ? "x"
            : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
        using var scope = token is null ? null : BearerToken.Use(token);
        try
        {
            var refusals = Refusals();
            var call = method.Invoke(grain, arguments);
            await (call is ValueTask valueTask ? valueTask.AsTask() : (Task)call!);
            if (method.GetCustomAttribute<OneWayAttribute>() is not null)
            {
                // A one-way call returns before the silo decides: its refusal shows in the guard's count.
                await Wait.UntilAsync(() => Task.FromResult(Refusals() > refusals), 5, $"a refusal of one-way {type.Name}.{method.Name}");
                return new StratumException(type.Assembly == typeof(Caller).Assembly ? ErrorCode.Unauthenticated : ErrorCode.PermissionDenied, "a one-way call, refused");
            }
            return null;
        }
        catch (StratumException e)
        {
            return e;
        }
    }

    /// <summary>A key of the grain's own form, so that it activates as it would for a real call (the call is refused after).</summary>
    private string KeyOf(Type type, World world, string silo) => type.Name switch
    {
        "IImageGrain" or "IImageInternalGrain" => world.ImageId,
        "IFolderGrain" or "IFolderInternalGrain" => world.FolderId,
        "IFamilyGrain" => $"{world.FolderId}/base-os",
        "IDeploymentShardGrain" => $"{world.FolderId}/0",
        "ILayerGrain" => ResourceIds.New(ResourceIds.Layer),
        "ISiloFeedGrain" => silo,
        "IOperationGrain" or "IOperationInternalGrain" => ResourceIds.New(ResourceIds.Operation),
        _ => "guard-test",
    };
}
