namespace Stratum.Index;

/// <summary>
/// The orders an image list can be read in. Each is its own table partition of the folder,
/// whose row key sorts in that order, so every page is a plain range read however large the folder.
/// </summary>
public sealed record ImageOrdering(string Name, string Suffix, Func<Image, string> RowKey)
{
    // '!' sorts below every character a name or id may hold, so "a" comes before "a-b".
    private const char Separator = '!';

    public static readonly ImageOrdering IdAsc = new("id asc", "id", i => i.Id);
    public static readonly ImageOrdering NameAsc = new("name asc", "name", i => $"{i.Name}{Separator}{i.Id}");
    public static readonly ImageOrdering CreatedAsc = new("createdAt asc", "created", i => $"{i.CreatedAt.UtcTicks:D19}{Separator}{i.Id}");
    public static readonly ImageOrdering CreatedDesc = new("createdAt desc", "created-desc", i => $"{DateTime.MaxValue.Ticks - i.CreatedAt.UtcTicks:D19}{Separator}{i.Id}");

    public static readonly IReadOnlyList<ImageOrdering> All = [IdAsc, NameAsc, CreatedAsc, CreatedDesc];

    public static ImageOrdering Parse(string? orderBy)
    {
        if (string.IsNullOrWhiteSpace(orderBy))
        {
            return IdAsc;
        }
        var words = orderBy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var normalized = words.Length switch
        {
            1 => $"{words[0]} asc",
            2 => $"{words[0]} {words[1].ToLowerInvariant()}",
            _ => orderBy,
        };
        return All.FirstOrDefault(o => o.Name == normalized)
            ?? throw StratumException.Invalid($"orderBy '{EchoedText.Shorten(orderBy)}' is not supported; use one of: {string.Join(", ", All.Select(o => o.Name))}.");
    }
}
