using CityNode.Host.Ota;
using CityNode.Host.Simulation;
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
        File.WriteAllBytes(Path.Combine(from, "CityNode.App.pe"), TwinApplication.Descriptor("2.3.4", null));
        string file = Path.Combine(_dir, "r.release");
        File.WriteAllBytes(file, Release.Pack(from, Release.ParseVersion("2.3.4", "version"), 7, CityNode.Node.NodeAssembly.LoaderVersion).ToFile());
        var sim = new CitySimulation(Options(release: file));
        var s = await sim.RunAsync();
        Assert.Equal(0, s.Lost);
        Assert.Equal("2.3.4", s.OtaVersion);
        Assert.Equal(4, s.OtaUpdated);
        Assert.All(sim.Nodes, n => Assert.Equal(7u, Record(n).Counter));
    }

    [Fact]
    public async Task A_bad_option_is_named()
    {
        var e = await Assert.ThrowsAsync<FormatException>(() => new CitySimulation(Options("sometimes")).RunAsync());
        Assert.Contains("--ota-bad sometimes", e.Message);
    }
}
