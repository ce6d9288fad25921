using System.Globalization;

namespace Stratum.Tools;

/// <summary>Linux's process table as /proc shows it: a process's children and its command line; empty for a process gone (or no /proc).</summary>
internal static class ProcessTable
{
    /// <summary>
    /// The ids of the processes <paramref name="pid"/> started that still run. The kernel lists a child
    /// under the thread that started it, and .NET starts processes from any thread: every thread's list is read.
    /// </summary>
    public static List<int> Children(int pid) =>
        [.. Threads(pid).SelectMany(thread => ReadOrEmpty($"/proc/{pid}/task/{thread}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(id => int.Parse(id, CultureInfo.InvariantCulture)).Distinct()];

    /// <summary>The command line, its arguments joined by NUL as the kernel keeps them.</summary>
    public static string CommandLine(int pid) => ReadOrEmpty($"/proc/{pid}/cmdline");

    private static IEnumerable<string> Threads(int pid)
    {
        try
        {
            return [.. Directory.EnumerateDirectories($"/proc/{pid}/task").Select(Path.GetFileName).OfType<string>()];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

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
}
