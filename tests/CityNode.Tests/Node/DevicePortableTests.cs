using CityNode.Config;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;
using CityNode.Node;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;
using CityNode.Tests.Delivery;
using CityNode.Tests.Faults;
using Xunit;

namespace CityNode.Tests.Node;

/// <summary>The portable pieces the ESP32 program is made of (its glue only forwards to them).</summary>
[Collection("cli")] // swaps the console
public class DevicePortableTests
{
    /// <summary>Sectors in memory as littlefs files would be: whole sectors, an absent one never written, failures on demand.</summary>
    private sealed class MemorySectors : ISectorStore
    {
        public readonly Dictionary<int, byte[]> Files = new();

        public bool FailSaves { get; set; }

        public int Load(int sector, byte[] into)
        {
            if (!Files.TryGetValue(sector, out var f))
            {
                return 0;
            }

            f.CopyTo(into, 0);
            return 1;
        }

        public bool Save(int sector, byte[] from)
        {
            if (FailSaves)
            {
                return false;
            }

            Files[sector] = (byte[])from.Clone();
            return true;
        }
    }

    [Fact]
    public void Sector_files_behave_as_nor_flash()
    {
        var files = new MemorySectors();
        var flash = new SectorFileFlash(files, 256, 4);
        var buf = new byte[4];
        Assert.Equal(FlashStatus.Ok, flash.Read(300, buf, 0, 4));
        Assert.All(buf, b => Assert.Equal(0xFF, b)); // never written reads erased
        Assert.Empty(files.Files);                    // and reading wrote nothing

        Assert.Equal(FlashStatus.Ok, flash.Program(300, new byte[] { 0xF0, 0x0F, 0x00, 0xAA }, 0, 4));
        Assert.Equal(FlashStatus.Ok, flash.Program(300, new byte[] { 0x3C, 0xFF, 0xFF, 0x0F }, 0, 4));
        flash.Read(300, buf, 0, 4);
        Assert.Equal(new byte[] { 0x30, 0x0F, 0x00, 0x0A }, buf); // programming only clears bits
        Assert.Equal(FlashStatus.Ok, flash.Erase(1));
        flash.Read(300, buf, 0, 4);
        Assert.All(buf, b => Assert.Equal(0xFF, b));

        Assert.Equal(FlashStatus.OutOfRange, flash.Program(250, buf, 0, 8)); // crosses a sector
        Assert.Equal(FlashStatus.OutOfRange, flash.Erase(4));
        files.FailSaves = true;
        Assert.Equal(FlashStatus.VerifyFailed, flash.Erase(2)); // the log retires such a sector
    }

    [Fact]
    public void A_journal_on_sector_files_recovers_its_batches_after_a_reset()
    {
        var files = new MemorySectors();
        var journal = new FlashJournal(new SectorFileFlash(files, 1024, 8), 1);
        journal.Mount();
        var payload = new byte[100];
        for (uint seq = 1; seq <= 5; seq++)
        {
            payload[0] = (byte)seq;
            Assert.True(journal.Append(seq, payload, 0, payload.Length, 10, seq * 10));
        }

        journal.Release(1);
        var again = new FlashJournal(new SectorFileFlash(files, 1024, 8), 1);
        again.Mount();
        Assert.Equal(4, again.PendingCount);
        Assert.Equal(6u, again.NextSequence);
        Assert.Equal(100, again.Read(0, new byte[200], out uint first));
        Assert.Equal(2u, first);
    }

    [Fact]
    public void The_event_queue_hands_over_in_order_from_another_thread()
    {
        var q = new UplinkEventQueue();
        var seen = new List<string>();
        var sink = new Recorder(seen);
        var t = new Thread(() =>
        {
            for (int i = 1; i <= 20; i++)
            {
                q.Published(i, i % 5 != 0, 0);
            }

            q.Message("citynode/7/config", new byte[] { 1, 2 });
        });
        t.Start();
        t.Join();
        q.Drain(0, sink);
        Assert.Equal(21, seen.Count);
        Assert.Equal("1:True", seen[0]);
        Assert.Equal("5:False", seen[4]);
        Assert.Equal("citynode/7/config:2", seen[20]);
        q.Published(99, true, 0);
        q.Clear();
        q.Drain(0, sink);
        Assert.Equal(21, seen.Count); // a closed session's leftovers are dropped
    }

    private sealed class Recorder(List<string> seen) : IUplinkEvents
    {
        public void OnPublished(int handle, bool acknowledged, int reasonCode) => seen.Add($"{handle}:{acknowledged}");

        public void OnMessage(string topic, byte[] payload, int offset, int count) => seen.Add($"{topic}:{count}");
    }

    /// <summary>Stands for the ESP32's sleeps and reboot: each ends the loop the way the reset would.</summary>
    private sealed class StopLoop : Exception;

    private sealed class TestSleeper(VirtualClock clock, int lightSleepsBeforeReboot) : ISleeper
    {
        public int LightSleeps;
        public int Reboots;

        public void LightSleep(int ms)
        {
            clock.Advance(ms);
            if (++LightSleeps == lightSleepsBeforeReboot)
            {
                throw new InvalidOperationException("driver bug"); // a crash in the middle of life
            }
        }

        public void DeepSleep(int ms, bool radioAtWake) => throw new StopLoop();

        public void Reboot()
        {
            Reboots++;
            throw new StopLoop();
        }
    }

    [Fact]
    public void The_device_loop_runs_cycles_and_counts_a_crash_before_rebooting()
    {
        var rig = new FaultRig();
        var sleeper = new TestSleeper(rig.Clock, 30);
        var loop = new NodeLoop(rig.Driver, sleeper, rig.Clock);
        var console = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            Assert.Throws<StopLoop>(() => loop.Run(0));
        }
        finally
        {
            Console.SetOut(console);
        }

        Assert.Equal(30, sleeper.LightSleeps);
        Assert.Equal(1, sleeper.Reboots);
        Assert.Equal(1, new CrashCounter(rig.CrashFlash).Count());
        Assert.Contains("crash: driver bug", captured.ToString());
        Assert.True(rig.Runtime.Samples >= 29);
    }

    [Fact]
    public void The_bench_check_prints_each_channel_or_its_fault()
    {
        var clock = new VirtualClock(1_700_000_000);
        var sensor = new ScriptedSensor(2, () => clock.UnixSeconds, (t, c) => c == 0 ? 21_370_000 : long.MinValue);
        sensor.Spec(0, Channels.AirTemperature);
        sensor.Spec(1, Channels.RelativeHumidity);
        var console = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            BenchCheck.Run(new Sampler(new ISensor[] { sensor }, clock), clock, 5000, 2);
        }
        finally
        {
            Console.SetOut(console);
        }

        var lines = captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(6, lines.Count);
        Assert.Equal("air_temperature = 21.37 Cel", lines[0]);
        Assert.Equal("relative_humidity: invalid", lines[1]);
        Assert.StartsWith("sensor faults so far:", lines[2]);
    }

    [Fact]
    public void Boot_files_with_an_error_name_the_file_line_and_key()
    {
        var console = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(captured);
        bool ok;
        try
        {
            ok = NodeFiles.Parse("node.id = 3\nsample = 5s\n", File.ReadAllText(Path.Combine(Paths.Root, "boards", "reference.board")), out _, out _);
        }
        finally
        {
            Console.SetOut(console);
        }

        Assert.False(ok);
        Assert.Contains("citynode.conf: line 2: sample", captured.ToString());
        Assert.True(NodeFiles.Parse("node.id = 3\n", File.ReadAllText(Path.Combine(Paths.Root, "boards", "reference.board")), out var config, out var board));
        Assert.Equal(3u, config.NodeId);
        Assert.Equal("reference", board.Id);
    }
}
