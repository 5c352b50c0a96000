using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using CityNode.Hal;
using CityNode.Host.DeviceCost;
using CityNode.Host.Provisioning;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.Loader;
using CityNode.NanoTwin;
using CityNode.Ota;

namespace CityNode.Host.Ota;

/// <summary>
/// What one boot of the loader image costs a node (docs/ota.md, loader and application): the real
/// <c>new LoaderProgram().LoadApplication()</c> (firmware/CityNode.Loader) run on a twin board whose
/// drive holds an application of <see cref="DeviceNode.ApplicationPeBytes"/>, from the cable's copy or
/// from slot B. IL is counted in the <see cref="InstrumentedContext"/> (Core and the loader), flash from
/// the board's ledger and the twin littlefs' time model, heap from the GC. Printed by `ota-cost`;
/// tests/CityNode.Tests/Ota/LoaderCostTests.cs asserts what needs no timing.
/// </summary>
public static class LoaderBootCost
{
    public const string Cable = "cable";
    public const string Confirmed = "confirmed";
    public const string Trial = "trial";

    /// <summary>The release's version in slot B (the cable's application is <see cref="DeviceNode.CableVersion"/>).</summary>
    public static readonly uint ReleaseVersion = OtaVersion.Pack(1, 1, 0);

    /// <summary>
    /// One loader boot. Il and Allocations (newobj/newarr/box executed by Core and the loader) are null
    /// outside the instrumented context. PeBytes: the array handed to Assembly.Load, which the interpreter
    /// keeps (it runs the assembly from it). HeapBytes: what else the boot allocated — the GC's count on the
    /// host minus the .pe array and minus the twin's own file handling, measured by replaying an open, read
    /// and close of each file a correct boot reads once (the twin's FileStream works on a clone of the file,
    /// where nanoFramework's littlefs reads into native buffers). What stays in it besides the node's
    /// allocations: the twin's path parsing for the folders and for files that do not exist, and its
    /// Assembly.Load bookkeeping — an upper bound. The files the boot writes (a trial's record) are replayed
    /// likewise. A file read twice, or a sector the manifest does not name, leaves its copy in HeapBytes.
    /// </summary>
    public sealed record Boot(
        string Case, bool Loaded, string? LoadedVersion, int Chunks, long? Il, long? Allocations,
        long Opens, long Loads, long Commits, long Erases, long PagePrograms, long BytesRead, double FlashMs,
        long PeBytes, long HeapBytes);

    /// <summary>
    /// Boots the loader once on a fresh twin board: <paramref name="which"/> is <see cref="Cable"/>
    /// (counter 0: I:\app\ as `provision` deploys it), <see cref="Confirmed"/> or <see cref="Trial"/>
    /// (the same application as a release of version 1.1.0 in slot B, written with the node's own OTA code).
    /// <paramref name="staleSlotSectors"/> sector files after the release's last chunk stand for an older,
    /// larger release that slot once held (the loader must read only what the manifest names).
    /// </summary>
    public static Boot Measure(string which, int staleSlotSectors = 0)
    {
        if (which is not (Cable or Confirmed or Trial))
        {
            throw new ArgumentException($"loader boot '{which}': {Cable}, {Confirmed} or {Trial}", nameof(which));
        }

        // The first run pays the host's one-time costs on this thread (JIT, type loading, reflection caches),
        // which the GC counts as allocations; the second measures the boot alone.
        _ = Run(which, staleSlotSectors);
        return Run(which, staleSlotSectors);
    }

    private static Boot Run(string which, int staleSlotSectors)
    {
        // What a descriptor of the application loads on the twin: this build of it (as DeviceNode registers it).
        CityNode.NanoTwin.Clr.Assembly.RegisterHostBuild(AppLoader.ApplicationAssembly, typeof(CityNode.Esp32.NodeProgram).Assembly);
        var board = new TwinBoard(new VirtualClock(1_700_000_000), "loader-cost");
        DeviceNode.DeployApplication(board, DeviceNode.CableVersion);
        int chunks = 0;
        if (which != Cable)
        {
            board.PowerUp(deepSleepWake: false);
            chunks = board.Invoke(() => InstallRelease(confirm: which == Confirmed, staleSlotSectors));
        }

        // The files a correct boot reads, each once: the cable's folder, or the state region and the release's chunks.
        var reads = board.Drive.Files.Where(f => which == Cable
                ? InFolder(f, "app/")
                : InFolder(f, "cn/ota/") || (InFolder(f, "cn/ota-b/") && int.Parse(f.AsSpan("cn/ota-b/s".Length), CultureInfo.InvariantCulture) < chunks))
            .Select(f => (DrivePath(f), board.Drive.Peek(DrivePath(f))!.Length)).ToList();
        var before = board.Drive.Files.ToHashSet(StringComparer.Ordinal);

        board.PowerUp(deepSleepWake: true);
        var ledger = board.Ledger;
        long opens = ledger.FileOpens, loads = ledger.FileLoads, commits = ledger.FileCommits, erases = ledger.BlockErases;
        long pages = ledger.PagePrograms, read = ledger.BytesRead, micros = board.Drive.FlashMicros;
        long invoke = HostBytesOfInvoke(board);
        long il = IlMeter.Executed?.Invoke() ?? 0;
        long allocations = IlMeter.Allocations?.Invoke() ?? 0;
        long gc = GC.GetAllocatedBytesForCurrentThread();
        bool loaded = board.Invoke(() => new LoaderProgram().LoadApplication()); // what Main does before it starts the application
        gc = GC.GetAllocatedBytesForCurrentThread() - gc - invoke;
        long? ilRun = IlMeter.Executed is { } e ? e() - il : null;
        long? allocationsRun = IlMeter.Allocations is { } a ? a() - allocations : null;
        var boot = new Boot(which, loaded, CityNode.NanoTwin.Clr.Assembly.Loaded(board)?.Version, chunks, ilRun, allocationsRun,
            ledger.FileOpens - opens, ledger.FileLoads - loads, ledger.FileCommits - commits, ledger.BlockErases - erases,
            ledger.PagePrograms - pages, ledger.BytesRead - read, (board.Drive.FlashMicros - micros) / 1000.0,
            loaded ? DeviceNode.ApplicationPeBytes : 0, 0);

        // The files the boot created (a trial's record sector: erased, then programmed, one commit each).
        var created = board.Drive.Files.Where(f => !before.Contains(f))
            .Select(f => (DrivePath(f), board.Drive.Peek(DrivePath(f))!.Length)).ToList();
        long twin = board.Invoke(() => TwinFileBytes(reads) + TwinWriteBytes(created, boot.Commits));
        return boot with { HeapBytes = gc - twin - (loaded ? HostArrayBytes(DeviceNode.ApplicationPeBytes) : 0) };
    }

    /// <summary>The rows `ota-cost` prints for the loader's boot, at <paramref name="ilPerSecond"/>.</summary>
    public static string Report(double ilPerSecond)
    {
        var o = new StringWriter(CultureInfo.InvariantCulture);
        o.WriteLine();
        o.WriteLine($"Loader boot: new LoaderProgram().LoadApplication() (firmware/CityNode.Loader) on a twin board, application {DeviceNode.ApplicationPeBytes:N0} B (DeviceNode.ApplicationPeBytes);");
        o.WriteLine($"IL of CityNode.Core + CityNode.Loader (instrumented); flash = the twin's littlefs ledger and time model; total ms = IL at {ilPerSecond / 1e6:0.#} M IL/s + flash ms");
        o.WriteLine($"{"case",-40} {"IL",9} {"IL ms",7} {"opens",6} {"loads",6} {"commits",8} {"erases",7} {"read KB",8} {"flash ms",9} {"total ms",9} {"allocs",7} {"heap B",8} {".pe B held",11}");
        foreach (var (which, name) in new[] { (Cable, "cable's copy (counter 0, I:\\app\\)"), (Confirmed, "release in slot B, confirmed"), (Trial, "release in slot B, trial (boot counted)") })
        {
            var b = Measure(which);
            double ilMs = (b.Il ?? 0) / ilPerSecond * 1000;
            o.WriteLine($"{name,-40} {b.Il,9:N0} {ilMs,7:N1} {b.Opens,6} {b.Loads,6} {b.Commits,8} {b.Erases,7} {b.BytesRead / 1024.0,8:N1} {b.FlashMs,9:N1} {ilMs + b.FlashMs,9:N1} {b.Allocations,7:N0} {b.HeapBytes,8:N0} {b.PeBytes,11:N0}"
                + (b.Loaded ? "" : "  NOT LOADED"));
        }

        o.WriteLine("opens/loads/commits/erases: littlefs file opens, first reads of an open file, file commits, block erases; read KB: bytes littlefs read;");
        o.WriteLine("allocs: newobj/newarr/box executed by Core + loader; heap B: bytes the boot allocated besides the .pe array (host GC count minus the twin's");
        o.WriteLine("own file handling, replayed: an upper bound, see LoaderBootCost.Boot); .pe B held: the array Assembly.Load keeps in the managed heap while the application runs.");
        o.Write(PeEstimate());
        return o.ToString();
    }

    /// <summary>
    /// The estimate of the application's and the loader's .pe sizes: the Release build of each one's
    /// compile-gate assembly and glue, times the .pe/.dll ratio of nanoFramework's own mscorlib (the
    /// package the gates compile against). A ratio of one assembly: an estimate, not a measurement.
    /// </summary>
    public static string PeEstimate()
    {
        var o = new StringWriter(CultureInfo.InvariantCulture);
        o.WriteLine();
        string? root = RepoRoot();
        if (root is null)
        {
            o.WriteLine($".pe estimate: no nf.sln above {AppContext.BaseDirectory}; run ota-cost from the repository's build");
            return o.ToString();
        }

        string props = File.ReadAllText(Path.Combine(root, "Directory.Packages.props"));
        var version = Regex.Match(props, "Include=\"nanoFramework.CoreLibrary\"\\s+Version=\"([^\"]+)\"");
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string lib = Path.Combine(packages, "nanoframework.corelibrary", version.Success ? version.Groups[1].Value : "?", "lib");
        long mscorlibPe = SizeOf(Path.Combine(lib, "mscorlib.pe"));
        long mscorlibDll = SizeOf(Path.Combine(lib, "mscorlib.dll"));
        if (!version.Success || mscorlibPe <= 0 || mscorlibDll <= 0)
        {
            o.WriteLine($".pe estimate: nanoFramework.CoreLibrary {(version.Success ? version.Groups[1].Value : "(no version in Directory.Packages.props)")} is not restored at {lib}; run `dotnet restore firmware/CityNode.Core.Nano`");
            return o.ToString();
        }

        double ratio = (double)mscorlibPe / mscorlibDll;
        o.WriteLine($".pe sizes, ESTIMATED: Release .dll sizes × the .pe/.dll ratio of ONE assembly, nanoFramework's mscorlib {version.Groups[1].Value} ({mscorlibPe:N0} / {mscorlibDll:N0} = {ratio:0.000})");
        Estimate(o, root, ratio, "application (CityNode.Esp32.pe)",
            [("firmware/CityNode.Core.Nano", "bin/Release/netstandard2.0/CityNode.Core.Nano.dll"),
             ("drivers/CityNode.Drivers.Nano", "bin/Release/netstandard2.0/CityNode.Drivers.Nano.dll"),
             ("tools/CityNode.DeviceProgram", "bin/Release/net10.0/CityNode.DeviceProgram.dll")]);
        o.WriteLine($"  DeviceNode.ApplicationPeBytes (what the simulation's releases and cable copy weigh): {DeviceNode.ApplicationPeBytes:N0} B");
        Estimate(o, root, ratio, "loader image (CityNode.Loader.pe)",
            [("firmware/CityNode.Loader.Nano", "bin/Release/netstandard2.0/CityNode.Loader.Nano.dll"),
             ("tools/CityNode.DeviceLoader", "bin/Release/net10.0/CityNode.Loader.dll")]);
        o.WriteLine("  (the twin builds of the glue, CityNode.DeviceProgram and CityNode.Loader, also hold NanoFrameworkClr.cs, and the loader's holds AppLoader");
        o.WriteLine("  a second time: both figures lean high)");
        return o.ToString();
    }

    // Writes the release as the node's updater leaves it (docs/ota.md, flash layout): each chunk erased and
    // programmed into its slot sector, the slot's installed manifest, then the switch (and the confirmation).
    private static int InstallRelease(bool confirm, int staleSlotSectors)
    {
        var file = new ReleaseFile(NodeProvisioning.ApplicationFile, CityNode.NanoTwin.Clr.TwinApplication.Descriptor(AppLoader.ApplicationAssembly, OtaVersion.Format(ReleaseVersion), null, DeviceNode.ApplicationPeBytes));
        var release = Release.Create([file], ReleaseVersion, 1, AppLoader.Version);
        byte[] manifest = release.Manifest(OtaManifest.TargetNode, "1", RandomNumberGenerator.GetBytes(32));
        IFlashProvider flash = Glue("I:\\");
        IFlash state = OtaRegions.OpenState(flash);
        IFlash slot = OtaRegions.OpenSlot(flash, 1, OtaManifest.MaxChunks);
        for (int c = 0; c < release.ChunkCount + staleSlotSectors; c++)
        {
            byte[] chunk = c < release.ChunkCount ? release.Chunk(c) : new byte[OtaUpdater.ChunkHeader + Release.ChunkSize];
            Check(slot.Erase(c) == FlashStatus.Ok && slot.Program(c * slot.SectorSize, chunk, OtaUpdater.ChunkHeader, chunk.Length - OtaUpdater.ChunkHeader) == FlashStatus.Ok, "program slot B");
        }

        Check(new OtaStore(state).WriteManifest(OtaStore.InstalledSector + 1, manifest, manifest.Length), "write the installed manifest");
        var slots = new SlotLoader(new BootRecord(state, 0), SlotLoader.DefaultMaxTrialBoots);
        slots.BeginBoot();
        Check(slots.Switch(1, ReleaseVersion, release.Counter) && (!confirm || slots.Confirm()), "switch to slot B");
        return release.ChunkCount;
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException("loader boot cost: the twin drive refused to " + what);
        }
    }

    // The loader's own glue (LittleFsSectors, internal in CityNode.Loader; CityNode.DeviceProgram compiles the
    // same file, so the name alone is ambiguous here): the regions the loader reads are the ones written.
    private static IFlashProvider Glue(string drive) =>
        (IFlashProvider)typeof(LoaderProgram).Assembly.GetType("CityNode.Esp32.Glue.LittleFsSectors", throwOnError: true)!
            .GetMethod("On")!.Invoke(null, [drive])!;

    // What Invoke itself allocates on the host (its scope, the ledger's syncs), measured on an empty call.
    private static long HostBytesOfInvoke(TwinBoard board)
    {
        Func<bool> nothing = () => true;
        board.Invoke(nothing);
        long before = GC.GetAllocatedBytesForCurrentThread();
        board.Invoke(nothing);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    // TwinLittleFs.Files names a file "cn/ota/s0"; the program's path is I:\cn\ota\s0.
    private static string DrivePath(string file) => "I:\\" + file.Replace('/', '\\');

    private static bool InFolder(string file, string folder) => file.StartsWith(folder, StringComparison.Ordinal) && file.IndexOf('/', folder.Length) < 0;

    // The twin's host bytes for what the glue does to read a file (LittleFsSectors: File.Exists, then open,
    // read, close; File.ReadAllBytes: open, read, close), replayed into a buffer the boot does not have.
    // The twin's host bytes for the glue's writes (LittleFsSectors.Write: create, write, close) of files the
    // boot created, replayed on new files beside them: empty first (SectorFileFlash's erase), then the final length.
    private static long TwinWriteBytes(List<(string Path, int Length)> created, long commits)
    {
        var from = new byte[created.Count == 0 ? 0 : created.Max(f => f.Length)];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < commits && created.Count > 0; i++)
        {
            var (path, length) = created[i % created.Count];
            bool last = i >= commits - created.Count;
            using var f = new CityNode.NanoTwin.Clr.FileStream(path + "r", FileMode.Create, FileAccess.Write);
            f.Write(from, 0, last ? length : 0);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static long TwinFileBytes(List<(string Path, int Length)> files)
    {
        var into = new byte[files.Count == 0 ? 0 : files.Max(f => f.Length)];
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var (path, length) in files)
        {
            _ = CityNode.NanoTwin.Clr.File.Exists(path);
            using var f = new CityNode.NanoTwin.Clr.FileStream(path, FileMode.Open, FileAccess.Read);
            _ = f.Read(into, 0, length);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    // A byte[] on 64-bit .NET: 8 B header, 8 B method table, 8 B length, the bytes, padded to 8.
    private static long HostArrayBytes(int length) => (24 + length + 7) / 8 * 8;

    private static void Estimate(StringWriter o, string root, double ratio, string what, (string Project, string Output)[] parts)
    {
        long total = 0;
        var missing = new List<string>();
        var terms = new List<string>();
        foreach (var (project, output) in parts)
        {
            string path = Path.Combine(root, project, output);
            long size = SizeOf(path);
            if (size <= 0)
            {
                missing.Add($"{project}/{output} is missing: build it with `dotnet build -c Release {project}`");
                continue;
            }

            total += size;
            terms.Add($"{Path.GetFileName(output)} {size:N0}");
        }

        if (missing.Count > 0)
        {
            o.WriteLine($"  {what}: no estimate");
            foreach (string m in missing)
            {
                o.WriteLine("    " + m);
            }

            return;
        }

        o.WriteLine($"  {what}: {string.Join(" + ", terms)} = {total:N0} B × {ratio:0.000} ≈ {total * ratio:N0} B (estimate)");
    }

    private static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : -1;

    private static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "nf.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
