using Xunit;

namespace CityNode.Tests.Device;

/// <summary>
/// The ESP32 program stays thin glue (issue 13: at most 400 lines of code): what it decides belongs in
/// portable code, compile-gated and tested on the host. Lines of code = lines that are neither blank
/// nor comments (braces and usings count).
/// </summary>
public class GlueSizeTests
{
    [Fact]
    public void The_esp32_program_is_at_most_400_lines_of_code() => AtMost(Path.Combine(Paths.Root, "firmware", "CityNode.Esp32"), "NodeProgram.cs", 400);

    /// <summary>The loader image is frozen until the next cable install (docs/ota.md): its own glue stays a few lines; what it decides is AppLoader, compile-gated.</summary>
    [Fact]
    public void The_loader_glue_is_at_most_60_lines_of_code() => AtMost(Path.Combine(Paths.Root, "firmware", "CityNode.Loader"), "LoaderProgram.cs", 60, "AppLoader.cs");

    private static void AtMost(string dir, string main, int limit, params string[] portable)
    {
        var files = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToList();
        files.RemoveAll(f => portable.Contains(Path.GetFileName(f)));
        Assert.Contains(files, f => f.EndsWith(main, StringComparison.Ordinal));
        var perFile = files.ToDictionary(f => Path.GetRelativePath(dir, f), f => File.ReadLines(f).Count(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        int total = perFile.Values.Sum();
        Assert.True(total <= limit, $"{total} lines of code: " + string.Join(", ", perFile.Select(kv => $"{kv.Key} {kv.Value}")));
    }
}
