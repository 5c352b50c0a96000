using System.Diagnostics;

namespace CityNode.Testing.Servers;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb into a temporary directory, postgres on a free loopback
/// port with trust authentication, removed on dispose. As root (CI containers) the server runs as
/// the <c>postgres</c> user, which PostgreSQL requires.
/// </summary>
public sealed class LocalPostgres : IDisposable
{
    private readonly string _bin;
    private readonly bool _asRoot;

    public LocalPostgres()
    {
        _bin = ServerBinaries.PostgresBin();
        _asRoot = Environment.UserName == "root";
        Directory = System.IO.Directory.CreateTempSubdirectory("citynode-pg-").FullName;
        Port = FreePort.Next();
        if (_asRoot)
        {
            Run("/usr/bin/chown", $"postgres {Directory}", asPostgres: false);
        }

        string data = Path.Combine(Directory, "data");
        Run(Path.Combine(_bin, "initdb"), $"-D {data} -U citynode --auth=trust --no-sync -E UTF8 --locale=C.UTF-8");
        // fsync off: a test cluster that vanishes afterwards need not survive power loss.
        Run(Path.Combine(_bin, "pg_ctl"),
            $"-D {data} -l {Path.Combine(Directory, "log")} -w -t 30 -o \"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50\" start");
        Run(Path.Combine(_bin, "createdb"), $"-h 127.0.0.1 -p {Port} -U citynode citynode");
    }

    public int Port { get; }

    public string Directory { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=citynode;Database=citynode;Pooling=true";

    /// <summary>A new empty database in the cluster, for a test of its own.</summary>
    public string CreateDatabase(string name)
    {
        Run(Path.Combine(_bin, "createdb"), $"-h 127.0.0.1 -p {Port} -U citynode {name}");
        return $"Host=127.0.0.1;Port={Port};Username=citynode;Database={name};Pooling=true";
    }

    private void Run(string file, string args, bool asPostgres = true)
    {
        var psi = asPostgres && _asRoot
            ? new ProcessStartInfo("/usr/sbin/runuser", $"-u postgres -- {file} {args}")
            : new ProcessStartInfo(file, args);
        psi.RedirectStandardError = true;
        psi.RedirectStandardOutput = true;
        psi.UseShellExecute = false;
        psi.WorkingDirectory = Directory;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({p.ExitCode}): {err.Result}{output}");
        }
    }

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), $"-D {Path.Combine(Directory, "data")} -m immediate -w stop");
        }
        catch (InvalidOperationException)
        {
            // Already down.
        }

        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
        }
    }
}
