using Stratum.Access;

namespace Stratum.Tests.Unit;

public sealed class AccessPolicyTests
{
    private static readonly Caller Alice = Caller.User("alice");

    private static AccessBinding Bind(string role, Subject subject) => new(role, subject);

    [Theory]
    [InlineData(Roles.Admin, Permission.All)]
    [InlineData(Roles.Editor, Permission.Read | Permission.Audit | Permission.Use | Permission.Edit)]
    [InlineData(Roles.Viewer, Permission.Read | Permission.Audit)]
    [InlineData(Roles.ImagesUser, Permission.Read | Permission.Use)]
    public void Each_role_on_the_folder_grants_its_permissions_on_images(string role, Permission expected) =>
        Assert.Equal(expected, AccessPolicy.OnImage(Alice, false, [Bind(role, Alice.Subject)], []));

    [Fact]
    public void Images_user_on_a_folder_does_not_reach_the_folder_itself() =>
        Assert.Equal(Permission.None, AccessPolicy.OnFolder(Alice, false, [Bind(Roles.ImagesUser, Alice.Subject)]));

    [Fact]
    public void A_binding_for_someone_else_grants_nothing() =>
        Assert.Equal(Permission.None, AccessPolicy.OnImage(Alice, false, [Bind(Roles.Admin, Caller.User("bob").Subject)], []));

    [Fact]
    public void All_authenticated_users_covers_every_caller() =>
        Assert.Equal(Permission.Read | Permission.Use, AccessPolicy.OnImage(Caller.Service("ci"), false, [], [Bind(Roles.ImagesUser, Subject.AllAuthenticatedUsers)]));

    [Fact]
    public void Platform_admins_may_do_everything_without_bindings() =>
        Assert.Equal(Permission.All, AccessPolicy.OnFolder(Alice, true, []));

    [Fact]
    public void A_service_account_is_not_the_user_of_the_same_name() =>
        Assert.Equal(Permission.None, AccessPolicy.OnFolder(Caller.Service("alice"), false, [Bind(Roles.Viewer, Alice.Subject)]));
}
