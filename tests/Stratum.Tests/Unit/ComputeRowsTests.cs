using System.Text.Json;
using Stratum.Deployment;

namespace Stratum.Tests.Unit;

/// <summary>A VM's rows keep only the fields it has, and read back whole, also as written by earlier versions (with nulls).</summary>
public sealed class ComputeRowsTests
{
    private static readonly Instance Vm = new("insexample00000000001", "fldexample0000000001", DateTimeOffset.Parse("2026-12-01T10:00:00Z"), "web-1",
        InstanceStatus.Running, new BootDisk("dskexample00000000001", AutoDelete: true));

    private static readonly Disk Boot = new("dskexample00000000001", "fldexample0000000001", DateTimeOffset.Parse("2026-12-01T10:00:00Z"), null,
        4L << 30, DiskStatus.Ready, "imgexample0000000001", null, "lyrexample0000000001", "insexample00000000001");

    [Fact]
    public void A_vm_s_rows_store_no_absent_fields_and_read_back_equal()
    {
        var instanceRow = ShardRows.Instance(Vm, "oprexample00000000001");
        var diskRow = ShardRows.Disk(Boot, OsType.Linux, "oprexample00000000001", "lyrexample0000000001", 393216);

        foreach (var json in new[] { instanceRow.GetString("Data"), diskRow.GetString("Data") })
        {
            Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        }
        Assert.Equal(Vm, ComputeRows.Read<Instance>(instanceRow));
        Assert.Equal(Boot, ComputeRows.Read<Disk>(diskRow));
    }

    [Fact]
    public void A_claim_written_by_an_earlier_version_still_answers_with_the_operation_it_holds()
    {
        var operation = ShardRows.Done(new ShardCommand(CommandKind.CreateInstance, "oprexample00000000001", "Create instance web-1", "userAccount:admin"),
            Vm.FolderId, "instanceId", Vm.Id, Vm);
        // Earlier versions copied the finished operation's columns into the claim.
        var claim = ShardRows.Claim(1, "ab12", "fingerprint", operation.Id);
        foreach (var (column, value) in ComputeRows.OperationRow(operation, "").Where(c => c.Key is "Data" or "ResponseType" or "Response"))
        {
            claim[column] = value;
        }

        var held = ShardRows.OperationHeldBy(claim)!;

        Assert.Equal((Vm, (ErrorInfo?)null, "Create instance web-1"), ((Instance)held.Response!, held.Error, held.Description));
        Assert.Null(ShardRows.OperationHeldBy(ShardRows.Claim(1, "ab12", "fingerprint", operation.Id)));
    }

    [Fact]
    public void Rows_written_with_null_fields_still_read()
    {
        var row = ShardRows.Instance(Vm, "oprexample00000000001");
        row["Data"] = JsonSerializer.Serialize(Vm);
        Assert.Contains("\"Labels\":null", row.GetString("Data"), StringComparison.Ordinal);
        Assert.Equal(Vm, ComputeRows.Read<Instance>(row));
    }
}
