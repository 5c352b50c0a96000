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

    /// <summary>A full recording: ../shared/data beside the repository, or the project's own copy (a fresh clone elsewhere).</summary>
    public static string SharedData(string file)
    {
        var shared = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data", file));
        if (File.Exists(shared))
        {
            return shared;
        }

        var own = Data(file);
        if (!File.Exists(own))
        {
            throw new FileNotFoundException($"recording missing: neither {shared} nor {own}");
        }

        return own;
    }

    public static string NanoAssembly(string project, string folder) =>
        Path.Combine(Root, folder, project, "bin", Configuration, "netstandard2.0", project + ".dll");
}
