using System.Net;
using System.Text.Json.Nodes;

namespace Stratum.LoadTest;

/// <summary>The run cannot go ahead as configured (a token the gateway refuses, a folder it does not have): exit 2, like a usage error.</summary>
public sealed class RunConfigurationException(string message) : Exception(message);

/// <summary>
/// One read before anything else, with the token the run uses: a refused token otherwise surfaced
/// as "Response status code does not indicate success: 401" from whichever step came first, or, in a
/// lookup run, as every lookup failing and the run ending 0.
/// </summary>
public static class GatewayCheck
{
    /// <summary>Reads the named folder (or, before a local run makes its own, the folders the token can see).</summary>
    public static async Task CheckAsync(HttpClient admin, string? folderId)
    {
        var path = folderId is null ? "/resource-manager/v1/folders?pageSize=1" : $"/resource-manager/v1/folders/{Uri.EscapeDataString(folderId)}";
        using var response = await admin.GetAsync(path);
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var status = (int)response.StatusCode;
        var because = await ServiceMessageAsync(response);
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new RunConfigurationException($"the gateway refused the token ({status}): {because.TrimEnd('.')}. Give one it accepts with --token."),
            HttpStatusCode.Forbidden => new RunConfigurationException($"the token may not use folder {folderId} ({status}): {because.TrimEnd('.')}. Give a token with a role there, or a folder of its own."),
            HttpStatusCode.NotFound when folderId is not null => new RunConfigurationException($"the gateway has no folder {folderId} ({status}); --folder names an existing folder."),
            // Anything else is the gateway failing, not the configuration: as "could not be reached" (exit 3).
            _ => new HttpRequestException($"{admin.BaseAddress}{path.TrimStart('/')} answered {status} {response.ReasonPhrase}: {because}", null, response.StatusCode),
        };
    }

    private static async Task<string> ServiceMessageAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? text;
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }
}
