using CityNode.Host.Ota;
using CityNode.Host.Provisioning;
using CityNode.Host.Simulation;
using CityNode.Loader;
using Assembly = CityNode.NanoTwin.Clr.Assembly;
using TwinApplication = CityNode.NanoTwin.Clr.TwinApplication;
using CityNode.Ota;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>
/// `simulate --ota` end to end, small (issue 16, must show): the ESP32 program on the twin downloads
/// the release in its publish windows while readings flow, switches, and keeps the release only when
/// it confirms itself; a bad release rolls back by itself on every node; no reading is lost.
/// </summary>
public sealed class SimulateOtaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-simota-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SimulationOptions Options(string? bad = null, string? release = null) => new()
    {
        Nodes = 4,
        Kind = "mixed",
        Duration = TimeSpan.FromHours(6),
        OtaAt = TimeSpan.FromHours(1),
        OtaBad = bad,
        OtaRelease = release,
        PowerCuts = 4,
        DataFolder = Path.Combine(Paths.Root, "tools", "CityNode.Cli", "data"),
    };

    private static BootRecord Record(ISimNode n) => ((DeviceNode)n).OtaRecord!;

    [Fact]
    public async Task A_good_release_ends_confirmed_on_every_node_with_nothing_lost()
    {
        var sim = new CitySimulation(Options());
        var s = await sim.RunAsync();
        Assert.Equal(0, s.Lost);
        Assert.Equal(0, s.Mismatched);
        Assert.Equal("1.1.0", s.OtaVersion);
        Assert.Equal(4, s.OtaUpdated);
        Assert.Equal(0, s.OtaRolledBack);
        Assert.All(sim.Nodes, n => Assert.Equal(((1u << 24) | (1u << 12), OtaState.Confirmed), (Record(n).Version, Record(n).State)));
    }

    [Fact]
    public async Task A_broker_restart_after_the_release_went_out_does_not_lose_it_the_backend_publishes_it_again()
    {
        // One restart at half the run (FaultSchedule: duration × k / (n + 1)), 2 h, five minutes after
        // the release: a node publishes every 15 min and takes 83 KB in three windows (≤ 32 KB each), so
        // none is in its trial yet (a trial through the restart's outage cannot prove itself and rolls
        // back), and the restart forgets every retained manifest and chunk (the embedded broker keeps
        // nothing). Without the backend publishing again, no node ever gets the release.
        var options = Options();
        options.Duration = TimeSpan.FromHours(4);
        options.OtaAt = TimeSpan.FromMinutes(115);
        options.BrokerRestarts = 1;
        var sim = new CitySimulation(options);
        var s = await sim.RunAsync();
        Assert.Equal(1, s.BrokerRestarts);
        Assert.Equal(0, s.Lost);
        Assert.Equal(0, s.Mismatched);
        Assert.Equal(4, s.OtaUpdated);
        Assert.All(sim.Nodes, n => Assert.Equal((OtaState.Confirmed, 1u), (Record(n).State, Record(n).Counter)));
    }

    [Theory]
    [InlineData(TwinApplication.Crash, OtaFailure.LoadFailed)]
    [InlineData(TwinApplication.Silent, OtaFailure.TrialNotConfirmed)]
    public async Task A_bad_release_rolls_back_by_itself_on_every_node_with_nothing_lost(string bad, OtaFailure why)
    {
        var sim = new CitySimulation(Options(bad));
        var s = await sim.RunAsync();
        Assert.Equal(0, s.Lost);
        Assert.Equal(0, s.Mismatched);
        Assert.Equal(0, s.OtaUpdated);
        Assert.Equal(4, s.OtaRolledBack);
        Assert.Equal(why.ToString(), s.OtaRollbackReason);
        // Back on the cable image (version 0, counter 0), the release's counter refused from now on.
        Assert.All(sim.Nodes, n => Assert.Equal((0u, 0u, 1u, why), (Record(n).Version, Record(n).Counter, Record(n).RefusedCounter, Record(n).Failure)));
    }

    [Fact]
    public async Task A_release_made_by_citynode_release_is_rolled_out_as_given()
    {
        string from = Directory.CreateDirectory(Path.Combine(_dir, "build")).FullName;
        File.WriteAllBytes(Path.Combine(from, NodeProvisioning.ApplicationFile), TwinApplication.Descriptor(AppLoader.ApplicationAssembly, "2.3.4"));
        var sim = new CitySimulation(Options(release: PackRelease(from, "2.3.4", 7)));
        var s = await sim.RunAsync();
        Assert.Equal(0, s.Lost);
        Assert.Equal("2.3.4", s.OtaVersion);
        Assert.Equal(4, s.OtaUpdated);
        Assert.All(sim.Nodes, n => Assert.Equal(7u, Record(n).Counter));

        // The last boot (the end-of-run flush) loaded the release from its slot; the program knows its loader.
        Assert.All(sim.Nodes.Cast<DeviceNode>(), n =>
        {
            Assert.Equal(new TwinApplication(AppLoader.ApplicationAssembly, "2.3.4", null), Assembly.Loaded(n.Board));
            Assert.Equal(AppLoader.Version, n.Program!.LoaderVersion);
        });
    }

    // A release the loader cannot start: one whose assembly does not resolve on the node (the native
    // Load fails, and the boot is poisoned), or one that loads but has no entry. Either way the loader
    // rolls it back at its first boot and restarts into the application that ran before.
    [Theory]
    [InlineData("CityNode.App", "does not load")]
    [InlineData("CityNode.Drivers", "has no CityNode.Esp32.NodeProgram")]
    public async Task A_release_the_loader_cannot_start_is_rolled_back_at_its_first_boot(string assembly, string console)
    {
        Assembly.RegisterHostBuild("CityNode.Drivers", typeof(CityNode.Drivers.Registry.SensorCatalog).Assembly);
        string from = Directory.CreateDirectory(Path.Combine(_dir, "build")).FullName;
        File.WriteAllBytes(Path.Combine(from, assembly + ".pe"), TwinApplication.Descriptor(assembly, "2.0.0"));
        var sim = new CitySimulation(Options(release: PackRelease(from, "2.0.0", 3)));
        var s = await sim.RunAsync();
        Assert.Equal(0, s.Lost);
        Assert.Equal(0, s.OtaUpdated);
        Assert.Equal(4, s.OtaRolledBack);
        Assert.Equal(nameof(OtaFailure.LoadFailed), s.OtaRollbackReason);
        Assert.All(sim.Nodes.Cast<DeviceNode>(), n =>
        {
            Assert.Contains(n.Board.ConsoleLines, l => l.Contains("loader: release 2.0.0 (slot B) " + console, StringComparison.Ordinal) || l.Contains(console, StringComparison.Ordinal) && l.Contains("2.0.0", StringComparison.Ordinal));
            Assert.Equal((0u, 3u), (Record(n).Counter, Record(n).RefusedCounter));
            Assert.Equal(new TwinApplication(AppLoader.ApplicationAssembly, DeviceNode.CableVersion, null), Assembly.Loaded(n.Board));
        });
    }

    private string PackRelease(string from, string version, uint counter)
    {
        string file = Path.Combine(_dir, version + ".release");
        File.WriteAllBytes(file, Release.Pack(from, Release.ParseVersion(version, "version"), counter, AppLoader.Version).ToFile());
        return file;
    }

    [Fact]
    public async Task A_bad_option_is_named()
    {
        var e = await Assert.ThrowsAsync<FormatException>(() => new CitySimulation(Options("sometimes")).RunAsync());
        Assert.Contains("--ota-bad sometimes", e.Message);

        // A board without PSRAM runs the application image, which takes no update: said before anything runs.
        var options = Options();
        options.Board = "esp32-devkitc";
        e = await Assert.ThrowsAsync<FormatException>(() => new CitySimulation(options).RunAsync());
        Assert.Contains("board esp32-devkitc does not take updates", e.Message);
    }
}
