namespace Stratum.Operations;

[GenerateSerializer, Alias("Stratum.OperationState")]
public sealed class OperationState
{
    [Id(0)] public Operation? Operation { get; set; }
    [Id(1)] public string? FolderId { get; set; }
    [Id(2)] public string ResourceId { get; set; } = "";
    [Id(3)] public Subject? CreatedBy { get; set; }
}
