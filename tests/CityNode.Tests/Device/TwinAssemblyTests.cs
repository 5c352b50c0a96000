using CityNode.Esp32;
using CityNode.NanoTwin;
using CityNode.NanoTwin.Clr;
using Xunit;

namespace CityNode.Tests.Device;

/// <summary>
/// The twin of System.Reflection.Assembly's Load(byte[]) and GetType(string): a release descriptor loads
/// the host build of the assembly it names, with nf-interpreter's failure modes (corlib_native_System_Reflection_Assembly.cpp).
/// </summary>
public class TwinAssemblyTests
{
    static TwinAssemblyTests() => Assembly.RegisterHostBuild("CityNode.Esp32", typeof(NodeProgram).Assembly);

    private static TwinBoard Board()
    {
        var board = new TwinBoard(new CityNode.Host.SimulatedHal.VirtualClock(1_750_000_000), "asm");
        board.PowerUp(deepSleepWake: false);
        return board;
    }

    [Fact]
    public void A_descriptor_loads_the_host_build_of_its_assembly_until_a_reset()
    {
        var board = Board();
        var a = board.Invoke(() => Assembly.Load(TwinApplication.Descriptor("CityNode.Esp32", "1.2.3", TwinApplication.Silent)));
        Assert.Equal(new TwinApplication("CityNode.Esp32", "1.2.3", "silent"), a.Application);
        Assert.Same(typeof(NodeProgram), board.Invoke(() => a.GetType("CityNode.Esp32.NodeProgram")));
        Assert.Null(board.Invoke(() => a.GetType("CityNode.Esp32.NoSuchType"))); // upstream returns null
        Assert.True(TwinApplication.IsSilent(board));
        board.Reset();
        board.PowerUp(deepSleepWake: true); // RAM is gone: the loader loads again at every boot
        Assert.Null(Assembly.Loaded(board));
    }

    [Fact]
    public void Bytes_that_are_no_assembly_and_a_release_that_throws_at_start_throw_out_of_Load()
    {
        var board = Board();
        Assert.Throws<ArgumentException>(() => board.Invoke(() => Assembly.Load([0x4E, 0x46, 0x4D, 0x52])));
        Assert.Throws<ArgumentException>(() => board.Invoke(() => Assembly.Load(TwinApplication.Descriptor("CityNode.Esp32", "1.0.0", "sometimes"))));
        Assert.Throws<NullReferenceException>(() => board.Invoke(() => Assembly.Load(null!)));
        var e = Assert.Throws<InvalidOperationException>(() => board.Invoke(() => Assembly.Load(TwinApplication.Descriptor("CityNode.Esp32", "1.0.0", TwinApplication.Crash))));
        Assert.Contains("static constructor", e.Message);

        // None of those was linked: a good assembly still loads in the same boot.
        Assert.Equal("1.0.1", board.Invoke(() => Assembly.Load(TwinApplication.Descriptor("CityNode.Esp32", "1.0.1"))).Application.Version);
    }

    // nf-interpreter links an assembly before ResolveAll; one whose references do not resolve stays linked,
    // so ResolveAll fails for every later Load of that boot (src/CLR/Core/TypeSystem.cpp).
    [Fact]
    public void An_assembly_that_does_not_resolve_makes_every_later_Load_of_the_boot_fail_until_a_reset()
    {
        var board = Board();
        var first = Assert.Throws<Exception>(() => board.Invoke(() => Assembly.Load(TwinApplication.Descriptor("CityNode.Unknown", "1.0.0"))));
        Assert.Contains("CLR_E_TYPE_UNAVAILABLE", first.Message);
        var later = Assert.Throws<Exception>(() => board.Invoke(() => Assembly.Load(TwinApplication.Descriptor("CityNode.Esp32", "1.0.0"))));
        Assert.Contains("CityNode.Unknown", later.Message);

        board.Reset();
        board.PowerUp(deepSleepWake: false);
        Assert.Equal("CityNode.Esp32", board.Invoke(() => Assembly.Load(TwinApplication.Descriptor("CityNode.Esp32", "1.0.0"))).Application.Name);
    }
}
