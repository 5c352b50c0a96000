using CityNode.Config;
using CityNode.Host.DeviceCost;
using CityNode.Host.Reports;
using CityNode.Host.SimulatedHal;
using CityNode.NanoTwin;
using CityNode.Tests.Device;
using Xunit;

namespace CityNode.Tests.Power;

/// <summary>
/// CPU time from interpreted IL and flash time from the drive's operations (issue 20 item 5): the
/// twin books what its interpreter meter counted at the board's power.il_per_second where it
/// happened, the ledger keeps interpreter, flash and other native work apart, and energy reports
/// them as cpu_il, flash and cpu_active.
/// </summary>
public class CpuAndFlashTimeTests
{
    private static string ReferenceText => File.ReadAllText(Path.Combine(Paths.Root, "boards", "reference.board"));

    private static BoardProfile Reference => BoardProfile.Parse(ReferenceText);

    [Fact]
    public void The_board_books_the_il_its_program_ran_at_the_meter_rate_and_not_the_hosts_calls()
    {
        long counter = 0;
        var board = new TwinBoard(new VirtualClock(1_700_000_000)) { Meter = new InterpreterMeter(() => counter, 1_500_000) };
        board.PowerUp(deepSleepWake: false);
        long boot = board.Ledger.TotalMs;

        counter += 4_000_000; // the host's own calls into the same code while no program runs: not the chip's
        board.Invoke(() =>
        {
            counter += 3_000_000; // the program: 2 s at 1.5 M IL/s
            board.Busy(1500, ActiveWork.Flash);
            counter += 750;       // 0.5 ms: carried, not lost
            board.Busy(2500);
            counter += 750;
            board.Idle(10);
            return 0;
        });
        counter += 9_000_000;
        board.Ledger.Book(CpuState.LightSleep, 1000);

        var l = board.Ledger;
        Assert.Equal(3_001_500, l.IlExecuted);
        Assert.Equal(2001, l.ActiveMs(ActiveWork.Interpreter));
        Assert.Equal(1, l.ActiveMs(ActiveWork.Flash));
        Assert.Equal(2, l.ActiveMs(ActiveWork.Native));
        Assert.Equal(l.CpuMs(CpuState.Active), l.ActiveMs(ActiveWork.Interpreter) + l.ActiveMs(ActiveWork.Flash) + l.ActiveMs(ActiveWork.Native));
        Assert.Equal(boot + 2004 + 10 + 1000, l.TotalMs);
    }

    [Fact]
    public void Without_a_meter_no_il_time_is_booked()
    {
        var board = new TwinBoard(new VirtualClock(1_700_000_000));
        board.PowerUp(deepSleepWake: false);
        board.Invoke(() =>
        {
            board.Busy(2500);
            return 0;
        });
        Assert.Equal(0, board.Ledger.ActiveMs(ActiveWork.Interpreter));
        Assert.Equal(2, board.Ledger.ActiveMs(ActiveWork.Native));
    }

    [Fact]
    public async Task A_simulated_node_outside_the_instrumented_context_books_flash_but_no_il()
    {
        Assert.False(IlMeter.Instrumented); // the default context's Core does not count
        await using var rig = await DeviceRig.StartAsync();
        var node = rig.AddAirNode();
        rig.Run(TimeSpan.FromHours(1));
        Assert.Null(node.Board.Meter);
        Assert.Equal(0, node.Board.Ledger.IlExecuted);
        Assert.Equal(0, node.Board.Ledger.ActiveMs(ActiveWork.Interpreter));
        Assert.True(node.Board.Ledger.ActiveMs(ActiveWork.Flash) > 0, node.Board.Ledger.ToString());
    }

    [Fact]
    public void Energy_books_il_and_flash_and_the_il_time_scales_with_the_interpreter_rate_while_flash_does_not()
    {
        var w = EnergyReport.Workload.Generic(5, 60, 900);
        var central = EnergyReport.Run(Reference, w);
        var t = central.Measured!.Span;

        // The reference workload interprets IL and uses the drive; both are booked as active time.
        Assert.True(central.Breakdown["cpu_il"] > 0 && central.Breakdown["flash"] > 0, string.Join(", ", central.Breakdown));
        Assert.True(t.IlExecuted > 1000 * (central.Measured.Readings / 5), t.ToString()); // some thousands of IL a sample at least
        Assert.Equal(t.Cpu(CpuState.Active), t.Active(ActiveWork.Interpreter) + t.Active(ActiveWork.Flash) + t.Active(ActiveWork.Native));

        // The ledger's IL time is the counted IL at the board's rate (sub-millisecond remainders carried).
        Assert.InRange(t.Active(ActiveWork.Interpreter), (t.IlExecuted * 1000.0 / 1_500_000) - 1, (t.IlExecuted * 1000.0 / 1_500_000) + 1);
        Assert.Equal("1500000", central.Constants["il_per_second"]);
        Assert.Equal("45000", central.Constants["flash_erase_us"]);

        // A copy of the board whose interpreter is 3x slower: 3x the IL milliamps, the same flash.
        string dir = Directory.CreateTempSubdirectory("citynode-board-").FullName;
        try
        {
            string slowBoard = Path.Combine(dir, "slow.board");
            File.WriteAllText(slowBoard, ReferenceText.Replace("power.il_per_second = 1500000", "power.il_per_second = 500000"));
            var slowProfile = Boards.Load(slowBoard);
            Assert.Equal(500_000, slowProfile.Power.IlPerSecond);
            var slow = EnergyReport.Run(slowProfile, w, boardSource: slowBoard);

            Assert.InRange(slow.Breakdown["cpu_il"] / central.Breakdown["cpu_il"], 2.7, 3.3);
            Assert.InRange(slow.Breakdown["flash"] / central.Breakdown["flash"], 0.9, 1.1);
            Assert.True(slow.AverageMilliamps > central.AverageMilliamps);

            // The report's range at 0.5 M IL/s (a linear estimate from the counted IL) agrees with the run at that rate.
            Assert.InRange(central.CpuIlRangeMilliamps[1] / slow.Breakdown["cpu_il"], 0.9, 1.1);
            Assert.InRange(central.AverageRangeMilliamps[1] / slow.AverageMilliamps, 0.99, 1.01);
            Assert.True(central.CpuIlRangeMilliamps[0] < central.Breakdown["cpu_il"] && central.AverageRangeMilliamps[0] < central.AverageMilliamps);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
