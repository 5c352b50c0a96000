using System.Diagnostics;

namespace CityNode.Testing.Servers;

/// <summary>
/// Finds the Debian server binaries the integration tests run. A missing one is installed with
/// apt-get when this process may (root, or sudo without a password, on a machine with apt-get), so
/// the README's test command passes on a fresh machine with no other step; otherwise the test fails
/// with the exact command to run — never a silent skip.
/// </summary>
public static class ServerBinaries
{
    private static readonly object InstallGate = new();

    public static string Find(string name, string package, params string[] candidates) =>
        Locate(name, candidates) ?? Install(package, () => Locate(name, candidates), $"'{name}'");

    /// <summary>The newest PostgreSQL server's bin directory (Debian: /usr/lib/postgresql/N/bin).</summary>
    public static string PostgresBin() => LocatePostgres() ?? Install("postgresql", LocatePostgres, "the PostgreSQL server");

    private static string? Locate(string name, string[] candidates)
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

        return null;
    }

    private static string? LocatePostgres()
    {
        var root = "/usr/lib/postgresql";
        return Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0).FirstOrDefault()
            : null;
    }

    /// <summary>Installs the package if this process may (once, for all fixtures), then finds the binary again; throws with what to run otherwise.</summary>
    private static string Install(string package, Func<string?> locate, string what)
    {
        lock (InstallGate)
        {
            if (locate() is string found)
            {
                return found; // another fixture installed it meanwhile
            }

            var plan = ServerInstall.Plan(package, what, ServerInstall.IsRoot(), File.Exists("/usr/bin/apt-get"), ServerInstall.SudoWithoutPassword);
            if (plan.Commands.Count == 0)
            {
                throw new InvalidOperationException(plan.Message);
            }

            Console.Error.WriteLine(plan.Message);
            foreach (var (file, args) in plan.Commands)
            {
                var (exit, output) = ServerInstall.Run(file, args);
                if (exit != 0)
                {
                    throw new InvalidOperationException($"{plan.Message}: `{file} {string.Join(' ', args)}` failed ({exit}):\n{output}\n{plan.Manual}");
                }
            }

            return locate() ?? throw new InvalidOperationException($"{what} is still missing after installing {package}; {plan.Manual}");
        }
    }
}

/// <summary>What the server fixtures do about a missing package: the decision, apart from running it (so it is tested without uninstalling anything).</summary>
public static class ServerInstall
{
    /// <summary>The commands to run (none: install by hand) and the line that says so on stderr or in the failure.</summary>
    public sealed record InstallPlan(IReadOnlyList<(string File, string[] Args)> Commands, string Message, string Manual);

    public static InstallPlan Plan(string package, string what, bool isRoot, bool hasAptGet, Func<bool> sudoWithoutPassword)
    {
        string manual = hasAptGet
            ? $"run `sudo apt-get install -y {package}` (or `bash .ci/run`, which installs it), then run the tests again"
            : $"install the '{package}' package with this system's package manager (the tests expect Debian's layout), then run the tests again";
        if (!hasAptGet)
        {
            return new([], $"{what} is not installed and this machine has no apt-get: {manual}", manual);
        }

        bool sudo = !isRoot && sudoWithoutPassword();
        if (!isRoot && !sudo)
        {
            return new([], $"{what} is not installed and this user cannot install it (not root, and sudo asks for a password): {manual}", manual);
        }

        string[] prefix = sudo ? ["sudo", "-n"] : [];

        (string, string[]) Cmd(params string[] args)
        {
            var all = prefix.Concat(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]).Concat(args).ToArray();
            return (all[0], all[1..]);
        }

        // Lock timeout: another apt-get (or a parallel test run) may hold the dpkg lock for a while.
        return new(
            [Cmd("-o", "DPkg::Lock::Timeout=300", "update", "-qq"), Cmd("-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", "--no-install-recommends", package)],
            $"tests: {what} is not installed; installing the Debian package '{package}' with apt-get{(sudo ? " (sudo)" : "")}",
            manual);
    }

    public static bool IsRoot() => OperatingSystem.IsLinux() && Environment.UserName == "root";

    public static bool SudoWithoutPassword() => File.Exists("/usr/bin/sudo") && Run("/usr/bin/sudo", ["-n", "true"]).Exit == 0;

    public static (int Exit, string Output) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }
}
