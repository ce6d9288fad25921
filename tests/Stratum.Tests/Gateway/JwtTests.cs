using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Stratum.Gateway;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>Outside Development the gateway takes only JWTs signed with the configured key.</summary>
[Collection(GatewayCollection.Name)]
public sealed class JwtTests(GatewayFixture fixture) : IAsyncLifetime
{
    private const string Key = "stratum-test-signing-key-of-at-least-32-bytes!";
    private WebApplication _gateway = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _gateway = GatewayApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Production"], web =>
        {
            web.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Stratum:Auth:DevelopmentTokens"] = "false",
                ["Stratum:Auth:Jwt:Issuer"] = "https://issuer.test",
                ["Stratum:Auth:Jwt:Audience"] = "stratum",
                ["Stratum:Auth:Jwt:SigningKey"] = Key,
            });
            StratumCluster.UseClient(web, fixture.Stratum.Client);
        });
        await _gateway.StartAsync();
        _address = new Uri(_gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static string Token(string subject, string key = Key, string audience = "stratum", string? type = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (type is not null)
        {
            claims["subject_type"] = type;
        }
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.test",
            Audience = audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    private HttpClient Client(string token)
    {
        var http = new HttpClient { BaseAddress = _address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    [Fact]
    public async Task A_valid_token_names_the_caller()
    {
        var folderId = await Client(Token("admin")).CreateFolderAsync();
        Assert.StartsWith("fld", folderId);
    }

    [Fact]
    public async Task A_service_account_claim_makes_a_service_account_caller()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var reply = await Client(Token("admin", type: "serviceAccount")).GetReplyAsync($"/resource-manager/v1/folders/{folderId}");
        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
    }

    [Theory]
    [InlineData("dev-admin")]
    [InlineData("wrong-key")]
    [InlineData("wrong-audience")]
    public async Task Development_tokens_and_bad_JWTs_are_401(string kind)
    {
        var token = kind switch
        {
            "wrong-key" => Token("admin", key: "another-signing-key-of-at-least-32-bytes!!"),
            "wrong-audience" => Token("admin", audience: "someone-else"),
            _ => kind,
        };
        var reply = await Client(token).GetReplyAsync("/resource-manager/v1/folders");
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal(16, reply.Code);
    }
}
