using System.ComponentModel;
using System.Globalization;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

// The query parameters of the API, bound by the framework so that the OpenAPI document lists each
// (with `[AsParameters]`). Text is bound as given; the checks and their messages are ours (an empty
// value counts as absent, as it always has).

/// <summary>The paging, filtering and ordering of a list.</summary>
public sealed class ListParameters
{
    [FromQuery(Name = "pageSize"), ReadAs(typeof(int), Default = ListQuery.DefaultPageSize), Range(0, ListQuery.MaxPageSize)]
    [Description("Results per page, 1 to 1000; 0 or absent is 100.")]
    public string? PageSize { get; init; }

    [FromQuery(Name = "pageToken")]
    [Description("The nextPageToken of the previous page; only with the same filter and orderBy.")]
    public string? PageToken { get; init; }

    [FromQuery(Name = "filter")]
    [Description("`<field> <op> <value>` joined by AND; ops =, !=, IN (...), NOT IN (...); strings in single or double quotes. "
        + "Images: id, name, family, status, format, pooled, os.type, deprecation.state; disks, snapshots, instances: id, name, status; "
        + "folders and families take none.")]
    public string? Filter { get; init; }

    [FromQuery(Name = "orderBy")]
    [Description("`<field> [asc|desc]`. Images: id asc (default), name asc, createdAt asc, createdAt desc; "
        + "folders, disks, snapshots, instances: id asc; families: name asc.")]
    public string? OrderBy { get; init; }

    public ListQuery ToQuery() => new(Size(), Query.Text(PageToken), Query.Text(Filter), Query.Text(OrderBy));

    // A sign is read as in a body ("+5", "-1"); the range is the grains' rule (PageToken), so a number out of it
    // gets the same message from every path.
    private int Size() => Query.Text(PageSize) switch
    {
        null => 0,
        var text when int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var size) => size,
        // Beyond 32 bits: said as the grains say any number out of range, with the caller's own digits.
        var text when text.TrimStart('+', '-') is { Length: > 0 } digits && digits.All(char.IsAsciiDigit)
            => throw StratumException.Invalid($"pageSize {text} is out of range: use 1 to {ListQuery.MaxPageSize}."),
        var text => throw StratumException.Invalid($"pageSize '{text}' is not a whole number: use 1 to {ListQuery.MaxPageSize}."),
    };
}

/// <summary>The folder a folder-wide read is about.</summary>
public sealed class FolderQuery
{
    [FromQuery(Name = "folderId"), Required]
    [Description("The folder: its id, or `standard-images`.")]
    public string? FolderId { get; init; }

    /// <summary>The folder id, checked: absent is 400, one that cannot exist is 404.</summary>
    public string Id => RequestIds.Folder(Query.Required("folderId", FolderId));
}

/// <summary>A family, and whose latest of it (the cohort).</summary>
public sealed class FamilyQuery
{
    [FromQuery(Name = "family"), Required]
    [Description("The family's name.")]
    public string? Family { get; init; }

    [FromQuery(Name = "cohortKey")]
    [Description("Whose latest: any string up to 256 characters (a zone, a host, a VM name); absent is the caller's subject. "
        + "An image rolling out to N % is latest for the cohorts whose bucket, a stable hash 0-99 of folder, family and key, is below N.")]
    public string? CohortKey { get; init; }

    public string Name => Query.Required("family", Family);

    public string? Cohort => Query.Text(CohortKey);
}

/// <summary>Which images an image list shows.</summary>
public sealed class ImageViewQuery
{
    [FromQuery(Name = "view"), AllowedValues("DEFAULT", "RECYCLE_BIN"), DefaultValue("DEFAULT")]
    [Description("DEFAULT: the folder's images; RECYCLE_BIN: the deleted images its recycle bin keeps.")]
    public string? View { get; init; }

    public ImageView Value => Query.Text(View) switch
    {
        null or "DEFAULT" => ImageView.Default,
        "RECYCLE_BIN" => ImageView.RecycleBin,
        var other => throw StratumException.Invalid($"view '{other}' is not known: use DEFAULT or RECYCLE_BIN."),
    };
}

/// <summary>Where a family watch resumes.</summary>
public sealed class WatchResumeQuery
{
    [FromHeader(Name = "Last-Event-ID")]
    [Description("The id of the last event received (Server-Sent Events sends it on reconnect): the changes after it are replayed.")]
    public string? LastEventIdHeader { get; init; }

    [FromQuery(Name = "lastEventId"), RegularExpression("^[0-9]+$")]
    [Description("The same as the Last-Event-ID header, for clients that cannot set headers; the header wins.")]
    public string? LastEventId { get; init; }
}

/// <summary>
/// A parameter bound as text, so that our parser words its refusal, that the OpenAPI document
/// describes as the type it is read as.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ReadAsAttribute(Type type) : Attribute
{
    public Type Type { get; } = type;

    /// <summary>The value an absent parameter means (a [DefaultValue] of another type than the property's would break the schema exporter).</summary>
    public object? Default { get; init; }
}

/// <summary>Small rules of query text shared by the parameter types.</summary>
internal static class Query
{
    /// <summary>An empty value is no value.</summary>
    public static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public static string Required(string name, string? value) =>
        Text(value) ?? throw StratumException.Invalid($"Query parameter {name} is required.");
}

/// <summary>The header that makes a mutation safe to retry.</summary>
public sealed class IdempotencyHeader
{
    [FromHeader(Name = "Idempotency-Key")]
    [Description("Makes the call safe to retry: the same key from the same caller within 24 h returns the first call's operation "
        + "and has no second effect; the same key with another body is 409 (code 10). Up to 128 characters.")]
    public string? Key { get; init; }

    /// <summary>The request, for the header's every value: binding joins values given twice into one.</summary>
    public HttpRequest Request { get; init; } = null!;

    /// <summary>The key, checked: given twice is 400; empty is passed on to be refused as too short.</summary>
    public string? Value => Http.RequestReader.IdempotencyKey(Request);
}
