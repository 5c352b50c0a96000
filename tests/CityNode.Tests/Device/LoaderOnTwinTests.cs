using CityNode.Esp32;
using CityNode.Host.Simulation;
using CityNode.Loader;
using Xunit;
using Assembly = CityNode.NanoTwin.Clr.Assembly;
using TwinApplication = CityNode.NanoTwin.Clr.TwinApplication;

namespace CityNode.Tests.Device;

/// <summary>
/// The loader image (firmware/CityNode.Loader) on the twin, as `citynode provision` deploys it: on a board
/// with PSRAM the loader loads the application from the drive with Assembly.Load and starts it by
/// reflection; a board without runs the application image and takes no update (docs/ota.md, two ways to deploy).
/// </summary>
public sealed class LoaderOnTwinTests
{
    [Fact]
    public async Task On_a_board_with_PSRAM_the_loader_starts_the_application_copied_by_cable()
    {
        await using var rig = await DeviceRig.StartAsync();
        var n = rig.AddAirNode("reference");
        rig.Run(TimeSpan.FromMinutes(40));
        Assert.True(n.UsesLoader);
        var started = Assert.IsType<NodeProgram>(LoaderProgram.StartedOn(n.Board));
        Assert.Same(n.Program, started);
        Assert.Equal(AppLoader.Version, started.LoaderVersion);
        Assert.Equal([new TwinApplication(AppLoader.ApplicationAssembly, DeviceNode.CableVersion, null)], Assembly.LoadedAll(n.Board));
        Assert.NotNull(started.Node.Loader); // under the loader the update regions are open
        Assert.Equal(0u, started.Node.Loader!.Record.Counter);
        Assert.True(n.ProducedReadings > 0 && n.TotalAcknowledged > 0, $"{n.ProducedReadings} produced, {n.TotalAcknowledged} acknowledged");
    }

    [Fact]
    public async Task On_a_board_without_PSRAM_the_application_image_runs_and_takes_no_update()
    {
        await using var rig = await DeviceRig.StartAsync();
        var n = rig.AddAirNode("esp32-devkitc");
        rig.Run(TimeSpan.FromMinutes(40));
        Assert.False(n.UsesLoader);
        Assert.Equal(0u, n.Program!.LoaderVersion);
        Assert.Null(n.Program.Node.Loader);
        Assert.Null(n.Program.Node.Updater);
        Assert.Empty(Assembly.LoadedAll(n.Board));
        Assert.True(n.TotalAcknowledged > 0);
    }

    // Without a release (counter 0) there is nothing older to go back to: the loader says which file of
    // which line failed and deep-sleeps to try again, as the program does when its config is missing.
    [Theory]
    [InlineData("CityNode.Missing.pe\n", null, @"I:\app\CityNode.Missing.pe (line 1 of app\files) cannot be read")]
    [InlineData("# the application\nCityNode.Esp32.pe\n", TwinApplication.Crash, "CityNode.Esp32.pe does not load: CityNode.Esp32 1.0.0: exception in a static constructor")]
    public async Task A_cable_application_that_cannot_be_loaded_is_named_and_retried_after_a_deep_sleep(string list, string? defect, string console)
    {
        await using var rig = await DeviceRig.StartAsync();
        var n = rig.AddAirNode("reference");
        DeviceNode.DeployApplication(n.Board, DeviceNode.CableVersion, defect);
        n.Board.Drive.Deploy(@"I:\" + AppLoader.AppList, System.Text.Encoding.ASCII.GetBytes(list));
        n.Board.Reset();
        n.Step(); // the reset's boot
        rig.Run(TimeSpan.FromMinutes(30));
        Assert.Contains(n.Board.ConsoleLines, l => l.Contains("loader: " + console, StringComparison.Ordinal));
        Assert.Contains(n.Board.ConsoleLines, l => l.Contains("did not load; deep sleep for 10 min", StringComparison.Ordinal));
        Assert.Null(n.Program);
        Assert.True(n.FailedBoots >= 1);
        Assert.False(n.Dead);
    }
}
