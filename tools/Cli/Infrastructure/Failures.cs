namespace Stratum.Cli.Infrastructure;

/// <summary>The command line was wrong (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The API refused, or an operation ended with an error (exit code 1): its code and message.</summary>
internal sealed class ApiException(int code, string message, int httpStatus = 0) : Exception(message)
{
    public int Code { get; } = code;

    public int HttpStatus { get; } = httpStatus;
}

/// <summary>Something other than the API went wrong on the way (unreachable endpoint, a checksum that does not match): exit code 1.</summary>
internal sealed class TransferException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Refused = 1;
    public const int Usage = 2;
}
