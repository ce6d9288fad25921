namespace Stratum.Tests.Unit;

/// <summary>The cohort bucket of a caller who gives no cohort key, computed without making the key's text.</summary>
public sealed class CallerBucketTests
{
    public static TheoryData<Caller> Callers => new()
    {
        Caller.User("bob"),
        Caller.Service("deployer"),
        new Caller(Subject.AllUsers),
        Caller.User("zoë-ünïcødé-\U0001F600"),
        // Past the stack buffer: the key is encoded on the heap instead.
        Caller.User(new string('x', 600)),
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public void A_callers_bucket_is_that_of_its_subject_as_the_cohort_key(Caller caller)
    {
        foreach (var (folder, family) in new[] { ("fldaaaaaaaaaaaaaaaaa", "ubuntu-2404"), ("standard-images", "débian-12") })
        {
            Assert.Equal(Cohorts.Bucket(folder, family, Cohorts.KeyOf(caller)), Cohorts.Bucket(folder, family, caller));
        }
    }
}
