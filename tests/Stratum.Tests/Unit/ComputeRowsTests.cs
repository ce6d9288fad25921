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
        var claim = ShardRows.Claim(1, "ab12", "fingerprint", "oprexample00000000001",
            ShardRows.Done(new ShardCommand(CommandKind.CreateInstance, "oprexample00000000001", "Create instance web-1", "userAccount:admin"),
                Vm.FolderId, "instanceId", Vm.Id, Vm));

        foreach (var json in new[] { instanceRow.GetString("Data"), diskRow.GetString("Data"), claim.GetString("Data"), claim.GetString("Response") })
        {
            Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        }
        Assert.Equal(Vm, ComputeRows.Read<Instance>(instanceRow));
        Assert.Equal(Boot, ComputeRows.Read<Disk>(diskRow));
        var first = ShardRows.FirstOperation(claim)!;
        Assert.Equal((Vm, (ErrorInfo?)null, "Create instance web-1"), ((Instance)first.Response!, first.Error, first.Description));
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
