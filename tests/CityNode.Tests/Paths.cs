using System.Reflection;

namespace CityNode.Tests;

/// <summary>Where the repository and the shared data are, for tests that read files.</summary>
public static class Paths
{
    private static string Metadata(string key) =>
        typeof(Paths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

    public static string Root => Metadata("RepositoryRoot");

    public static string Configuration => Metadata("Configuration");

    /// <summary>The project's own copy of recorded data (a slice, with attribution).</summary>
    public static string Data(string file) => Path.Combine(Root, "tools", "CityNode.Cli", "data", file);

    /// <summary>The CEO's full recordings, beside the repository.</summary>
    public static string SharedData(string file)
    {
        var p = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data", file));
        if (!File.Exists(p))
        {
            throw new FileNotFoundException($"shared recording missing: {p} (the tests read ../shared/data beside the repository)");
        }

        return p;
    }

    public static string NanoAssembly(string project, string folder) =>
        Path.Combine(Root, folder, project, "bin", Configuration, "netstandard2.0", project + ".dll");
}
