namespace CityNode.Testing.Servers;

/// <summary>
/// Finds the Debian server binaries the integration tests run. A missing one fails the test with
/// what to install — never a silent skip (.ci/run installs them).
/// </summary>
public static class ServerBinaries
{
    public static string Find(string name, string package, params string[] candidates)
    {
        foreach (var c in candidates)
        {
            if (File.Exists(c))
            {
                return c;
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p))
            {
                return p;
            }
        }

        throw new InvalidOperationException($"'{name}' is not installed: run `sudo apt-get install -y {package}` (or `bash .ci/run`, which installs it)");
    }

    /// <summary>The newest PostgreSQL server's bin directory (Debian: /usr/lib/postgresql/N/bin).</summary>
    public static string PostgresBin()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL server is not installed: run `sudo apt-get install -y postgresql` (or `bash .ci/run`, which installs it)");
    }
}
