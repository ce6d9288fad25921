namespace Stratum.Changes;

/// <summary>
/// Marks a grain method that changes what "latest in family" answers (an image or its access);
/// the client-side <see cref="ReadYourWritesFilter"/> notes its caller.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ImageWriteAttribute : Attribute;
