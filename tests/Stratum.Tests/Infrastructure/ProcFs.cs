using System.Diagnostics;

namespace Stratum.Tests.Infrastructure;

/// <summary>Processes as Linux's /proc shows them: who started whom, their command lines, whether they ended.</summary>
public static class ProcFs
{
    /// <summary>The processes whose parent is <paramref name="parent"/> and whose command line holds <paramref name="command"/>.</summary>
    public static List<int> ChildrenOf(int parent, string command = "") =>
        [.. Tools.ProcessTable.Children(parent).Where(pid => CommandLine(pid).Contains(command, StringComparison.Ordinal))];

    /// <summary>The processes below <paramref name="root"/>, at any depth.</summary>
    public static List<int> DescendantsOf(int root)
    {
        var found = new List<int>();
        var next = new Queue<int>([root]);
        while (next.TryDequeue(out var pid))
        {
            foreach (var child in ChildrenOf(pid))
            {
                found.Add(child);
                next.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>The command line, its arguments joined by NUL as the kernel keeps them; "" for a process gone.</summary>
    public static string CommandLine(int pid) => Tools.ProcessTable.CommandLine(pid);

    /// <summary>The process's environment ("NAME=value" each) as it was started; empty for a process gone.</summary>
    public static string[] EnvironmentOf(int pid) => ReadOrEmpty($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The processes running now whose environment holds <paramref name="variable"/> ("NAME=value"), as the kernel keeps it.</summary>
    public static List<int> WithEnvironment(string variable) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(int.Parse!)
            .Where(pid => !Gone(pid) && EnvironmentOf(pid).Contains(variable))
            .ToList();

    /// <summary>Ended: no such process, or a zombie its parent has not reaped yet.</summary>
    public static bool Gone(int pid) => State(pid) is null or 'Z';

    /// <summary>Kills what is still running of <paramref name="pids"/>: a failed test must not leave what it looked for.</summary>
    public static void KillLeftovers(IEnumerable<int> pids)
    {
        foreach (var pid in pids.Where(pid => !Gone(pid)))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // Ended meanwhile.
            }
        }
    }

    /// <summary>A /proc file's text; "" for a process gone or one whose file this user may not read.</summary>
    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static char? State(int pid) => Stat(pid) is { } fields ? fields[0][0] : null;

    /// <summary>/proc/PID/stat after "pid (comm) ": the name may hold spaces, so fields are counted after its last ')'.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
