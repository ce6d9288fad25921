using System.Globalization;
using System.Text;

namespace Stratum;

/// <summary>How enum values are written in the contract: <c>READY</c>, <c>QCOW2</c>, <c>ALL_CAPS</c>.</summary>
public static class ContractNames
{
    /// <summary>The contract's spelling of an enum value.</summary>
    public static string Of<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        var result = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                result.Append('_');
            }
            result.Append(char.ToUpperInvariant(name[i]));
        }
        return result.ToString();
    }

    /// <summary>The contract's spelling of a time, as answers write it (RFC 3339, UTC, milliseconds): <c>2030-01-31T12:00:00.000Z</c>.</summary>
    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
