using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stratum.Index;

/// <summary>
/// A list's page token: the table's continuation plus the query it belongs to, so a token is
/// refused when reused with another filter or order, or on another folder's list (where the
/// table's continuation points into another partition: the page came back empty, or first).
/// </summary>
public static class PageToken
{
    private sealed record Content(string Query, string Continuation);

    public static string Encode(string query, string continuation) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Content(query, continuation)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The query a token belongs to: a digest of everything that picks the list's rows (its kind, folder, filters).</summary>
    public static string Scope(params string[] parts) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))))[..32];

    public static string? Decode(string? token, string query)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        Content? content;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            content = JsonSerializer.Deserialize<Content>(Convert.FromBase64String(base64));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw StratumException.Invalid("pageToken is not a token this list returned.");
        }
        if (content is null || content.Query != query)
        {
            throw StratumException.Invalid("pageToken belongs to another list (another folder, filter or orderBy); start again without it.");
        }
        return content.Continuation;
    }

    public static int Size(int pageSize) => pageSize switch
    {
        0 => ListQuery.DefaultPageSize,
        < 0 or > ListQuery.MaxPageSize => throw StratumException.Invalid($"pageSize {pageSize} is out of range: use 1 to {ListQuery.MaxPageSize}."),
        _ => pageSize,
    };
}
