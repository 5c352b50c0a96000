using CityNode.NanoTwin;
using CityNode.NanoTwin.Clr;
using Xunit;

namespace CityNode.Tests.Device;

/// <summary>The twin of System.Reflection.Assembly.Load(byte[]): release descriptors stand for application versions.</summary>
public class TwinAssemblyTests
{
    private static T OnBoard<T>(Func<T> f)
    {
        var board = new TwinBoard(new CityNode.Host.SimulatedHal.VirtualClock(1_750_000_000), "asm");
        board.PowerUp(deepSleepWake: false);
        return board.Invoke(f);
    }

    [Fact]
    public void A_descriptor_loads_as_its_version_and_the_board_runs_it_until_a_reset()
    {
        var board = new TwinBoard(new CityNode.Host.SimulatedHal.VirtualClock(1_750_000_000), "asm");
        board.PowerUp(deepSleepWake: false);
        var a = board.Invoke(() => Assembly.Load(TwinApplication.Descriptor("1.2.3", TwinApplication.Silent)));
        Assert.Equal(new TwinApplication("1.2.3", "silent"), a.Application);
        Assert.True(TwinApplication.IsSilent(board));
        board.Reset();
        board.PowerUp(deepSleepWake: true); // RAM is gone: the loader loads again at every boot
        Assert.Null(Assembly.Loaded(board));
    }

    [Fact]
    public void Bytes_that_are_no_assembly_and_a_release_that_throws_at_start_throw_out_of_Load()
    {
        Assert.Throws<BadImageFormatException>(() => OnBoard(() => Assembly.Load(new byte[] { 0x4E, 0x46, 0x4D, 0x52 })));
        Assert.Throws<BadImageFormatException>(() => OnBoard(() => Assembly.Load(TwinApplication.Descriptor("1.0.0", "sometimes"))));
        Assert.Throws<ArgumentNullException>(() => OnBoard(() => Assembly.Load(null!)));
        var e = Assert.Throws<InvalidOperationException>(() => OnBoard(() => Assembly.Load(TwinApplication.Descriptor("1.0.0", TwinApplication.Crash))));
        Assert.Contains("static constructor", e.Message);
    }
}
