namespace Stratum.Gateway.Http;

/// <summary>
/// Every query parameter of the contract takes one value: one given twice is refused (400, code 3)
/// rather than read as the two values joined with a comma (<c>?folderId=A&amp;folderId=B</c> was
/// looked up as the folder <c>A,B</c>), as a body naming a field twice is.
/// </summary>
public static class RepeatedParameters
{
    /// <summary>Refuses requests that repeat a query parameter; after <see cref="ApiErrors.Handle"/>, which shapes the refusal.</summary>
    public static IApplicationBuilder UseSingleQueryValues(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        foreach (var (name, values) in context.Request.Query)
        {
            if (values.Count > 1)
            {
                throw StratumException.Invalid($"Query parameter '{EchoedText.Shorten(name)}' is given {values.Count} times; give it once.");
            }
        }
        return next(context);
    });
}
