using CityNode.Config;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;
using CityNode.Storage;
using Xunit;

namespace CityNode.Tests.Node;

/// <summary>
/// The portable parts the ESP32 glue now only feeds with native calls (issue 13: glue ≤ 400 lines):
/// SectorFiles' file semantics, ChipPlatform's heap, battery, reset cause and radio choice, RtcClock.
/// </summary>
public class ChipPartsTests
{
    /// <summary>Files in memory; a write can fail as littlefs does when full.</summary>
    private sealed class MemoryFiles : SectorFiles
    {
        public readonly Dictionary<string, byte[]> Files;
        public readonly HashSet<string> Folders;

        private readonly MemoryFiles _root;

        public MemoryFiles()
            : base("R/")
        {
            Files = new();
            Folders = new();
            _root = this;
        }

        private MemoryFiles(string path, SectorBuffer b, MemoryFiles root)
            : base(path, b)
        {
            Files = root.Files;
            Folders = root.Folders;
            _root = root;
        }

        private bool _full;

        /// <summary>Every write fails (the drive is full), in every region.</summary>
        public bool Full
        {
            get => _root._full;
            set => _root._full = value;
        }

        protected override string Separator => "/";

        protected override SectorFiles Region(string prefix, SectorBuffer buffer) => new MemoryFiles(prefix, buffer, this);

        protected override void CreateFolder(string path) => Folders.Add(path);

        protected override bool Exists(string file) => Files.ContainsKey(file);

        protected override int ReadPrefix(string file, byte[] into, int count)
        {
            byte[] f = Files[file];
            int n = Math.Min(f.Length, count);
            Array.Copy(f, into, n);
            return n;
        }

        protected override void Write(string file, byte[] from, int count)
        {
            if (Full)
            {
                throw new IOException("no space");
            }

            Files[file] = from[..count];
        }
    }

    [Fact]
    public void Sector_files_keep_the_programmed_prefix_and_read_the_rest_as_erased()
    {
        var root = new MemoryFiles();
        IFlash flash = root.Open("journal", 256, 4);
        Assert.Contains("R/journal", root.Folders);
        var b = new byte[256];
        Assert.Equal(FlashStatus.Ok, flash.Read(0, b, 0, 256));
        Assert.All(b, x => Assert.Equal(0xFF, x)); // never written: erased, and no file made by reading
        Assert.Empty(root.Files);

        Assert.Equal(FlashStatus.Ok, flash.Program(256 + 10, new byte[] { 1, 2, 3 }, 0, 3));
        Assert.Equal(13, root.Files["R/journal/s1"].Length); // saved up to the last programmed byte
        var again = new MemoryFiles();
        foreach (var kv in root.Files)
        {
            again.Files[kv.Key] = kv.Value;
        }

        IFlash reopened = again.Open("journal", 256, 4); // a new boot: a new buffer
        Assert.Equal(FlashStatus.Ok, reopened.Read(256, b, 0, 256));
        Assert.Equal(new byte[] { 1, 2, 3 }, b[10..13]);
        Assert.All(b[13..], x => Assert.Equal(0xFF, x));
        Assert.All(b[..10], x => Assert.Equal(0xFF, x));
    }

    [Fact]
    public void A_sector_that_cannot_be_saved_is_an_error_not_a_lost_write()
    {
        var root = new MemoryFiles { Full = true };
        IFlash flash = root.Open("staging", 256, 2);
        Assert.NotEqual(FlashStatus.Ok, flash.Program(0, new byte[] { 7 }, 0, 1));
        Assert.False(root.Save(0, new byte[4], 4));
        root.Full = false;
        Assert.True(root.Save(0, new byte[4], 4));
        Assert.Equal(-1, root.Load(0, new byte[8], 8)); // shorter than an exact load asks: torn or foreign
        Assert.Equal(1, root.Load(0, new byte[4], 4));
    }

    /// <summary>Files kept in arrays allocated once, so that only SectorFiles' own allocations show.</summary>
    private sealed class QuietFiles : SectorFiles
    {
        private readonly byte[] _data = new byte[512];
        private int _length = -1;

        public QuietFiles()
            : base("I:\\cn\\staging\\s")
        {
        }

        protected override string Separator => "\\";

        protected override SectorFiles Region(string prefix, SectorBuffer buffer) => throw new NotSupportedException();

        protected override void CreateFolder(string path)
        {
        }

        protected override bool Exists(string file) => _length >= 0;

        protected override int ReadPrefix(string file, byte[] into, int count)
        {
            int n = Math.Min(_length, count);
            Array.Copy(_data, into, n);
            return n;
        }

        protected override void Write(string file, byte[] from, int count)
        {
            Array.Copy(from, _data, count);
            _length = count;
        }
    }

    [Fact]
    public void Saving_and_loading_one_sector_again_and_again_allocates_nothing()
    {
        var files = new QuietFiles();
        var page = new byte[512];
        files.Save(3, page, 100);
        files.LoadPrefix(3, page, 512);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            files.Save(3, page, 100 + i); // a log appending in its current sector: one per sample
            files.LoadPrefix(3, page, 512);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before); // the file name is made once per sector, not per write
    }

    private sealed class Uplink(bool radio) : SessionUplink
    {
        public readonly List<bool> Saved = new();
        public bool TimeComes { get; set; }
        private bool _set;

        public override bool IsConnected => false;

        public override bool RadioThisBoot => radio;

        public override void RadioAtNextBoot(bool on) => Saved.Add(on);

        protected override long NowMs => 0;

        protected override bool ClockIsSet => _set;

        protected override bool Join(int timeoutMs, bool needTime) => _set = TimeComes;

        protected override void Leave()
        {
        }

        protected override UplinkStatus Open(long deadlineMs) => UplinkStatus.Refused;

        protected override void CloseSession()
        {
        }

        protected override int SendSubscribe(string topic) => 0;

        protected override int SendPublish(string topic, byte[] message) => 0;
    }

    private sealed class Chip(IAdc adc, BoardProfile board, SessionUplink uplink, IClock clock, int cause) : ChipPlatform(adc, board, uplink, clock, cause, 4)
    {
        public readonly List<string> Calls = new();
        public int HeapReads;

        public override void LightSleep(int ms) => Calls.Add("light " + ms);

        public override void Reboot() => Calls.Add("reboot");

        public override void DeepSleepNow(int ms) => Calls.Add("deep " + ms);

        protected override int MeasureFreeHeap() => 50_000 + ++HeapReads;
    }

    private sealed class Adc(int mv) : IAdc
    {
        public int Channel = -1;

        public int ReadMillivolts(int channel)
        {
            Channel = channel;
            return mv;
        }
    }

    private static BoardProfile Board(string extra = "") => BoardProfile.Parse("board = t\n" + extra);

    [Fact]
    public void The_heap_is_measured_at_most_hourly_because_measuring_forces_a_collection()
    {
        var clock = new VirtualClock(1_700_000_000);
        var chip = new Chip(new Adc(0), Board(), new Uplink(true), clock, 4);
        int first = chip.FreeHeapBytes;
        clock.Delay(3_599_000);
        Assert.Equal(first, chip.FreeHeapBytes);
        Assert.Equal(1, chip.HeapReads);
        clock.Delay(1_000);
        Assert.NotEqual(first, chip.FreeHeapBytes);
        Assert.Equal(2, chip.HeapReads);
    }

    [Fact]
    public void Battery_is_the_profile_channel_times_its_divider_and_zero_without_one()
    {
        var adc = new Adc(1_850);
        var clock = new VirtualClock(1_700_000_000);
        Assert.Equal(3_700, new Chip(adc, Board("battery.adc_channel = 6\nbattery.divider = 2\n"), new Uplink(true), clock, 0).BatteryMillivolts);
        Assert.Equal(6, adc.Channel);
        Assert.Equal(0, new Chip(new Adc(-1), Board("battery.adc_channel = 6\n"), new Uplink(true), clock, 0).BatteryMillivolts); // a failed read is no battery, not a negative voltage
        Assert.Equal(0, new Chip(adc, Board(), new Uplink(true), clock, 0).BatteryMillivolts);
    }

    [Theory]
    [InlineData(4, ResetCause.DeepSleepWake)]
    [InlineData(0, ResetCause.PowerOn)]
    [InlineData(2, ResetCause.PowerOn)] // a GPIO wake is not the node's own deep sleep
    public void Only_a_timer_wake_is_a_deep_sleep_wake(int cause, ResetCause expected)
    {
        Assert.Equal(expected, new Chip(new Adc(0), Board(), new Uplink(true), new VirtualClock(0), cause).ResetCause);
    }

    [Fact]
    public void Deep_sleep_saves_the_next_boots_radio_choice_before_sleeping()
    {
        var uplink = new Uplink(false);
        var chip = new Chip(new Adc(0), Board(), uplink, new VirtualClock(0), 4);
        Assert.False(chip.RadioReady);
        Assert.True(chip.RadioStaysOnUntilReset);
        chip.DeepSleep(60_000, radioAtWake: true);
        Assert.Equal(new[] { true }, uplink.Saved);
        Assert.Equal(new[] { "deep 60000" }, chip.Calls);
    }

    [Theory]
    [InlineData(true, true, false, "reboot")]   // time fetched: restart with the radio off
    [InlineData(true, false, true, "")]         // no time: sleep and try again, radio on
    [InlineData(false, false, true, "reboot")]  // no radio this boot: restart with it
    public void Setting_the_clock_chooses_the_next_boots_radio(bool radio, bool timeComes, bool radioNext, string call)
    {
        var uplink = new Uplink(radio) { TimeComes = timeComes };
        var chip = new Chip(new Adc(0), Board(), uplink, new VirtualClock(0), 0);
        Assert.False(chip.SetClock(1000));
        Assert.Equal(new[] { radioNext }, uplink.Saved);
        Assert.Equal(call, string.Join(",", chip.Calls));
    }
}
