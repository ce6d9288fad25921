namespace Stratum;

/// <summary>The error codes of the API contract; each maps to one HTTP status.</summary>
public enum ErrorCode
{
    /// <summary>The request is malformed or a field breaks a rule (HTTP 400).</summary>
    InvalidArgument = 3,
    /// <summary>The resource does not exist or the caller may not read it (HTTP 404).</summary>
    NotFound = 5,
    /// <summary>A resource with that name already exists (HTTP 409).</summary>
    AlreadyExists = 6,
    /// <summary>The caller may read the resource but not do this to it (HTTP 403).</summary>
    PermissionDenied = 7,
    /// <summary>A quota would be exceeded (HTTP 429).</summary>
    ResourceExhausted = 8,
    /// <summary>The resource is not in a state that allows this (HTTP 400).</summary>
    FailedPrecondition = 9,
    /// <summary>A conflict, such as an idempotency key reused with another request (HTTP 409).</summary>
    Aborted = 10,
    /// <summary>A fault on the service's side (HTTP 500).</summary>
    Internal = 13,
    /// <summary>The service cannot answer now; retry later (HTTP 503).</summary>
    Unavailable = 14,
    /// <summary>No or an unknown credential (HTTP 401).</summary>
    Unauthenticated = 16,
}
