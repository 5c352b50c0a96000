using System.Globalization;
using System.Text.Json;
using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Esp32.Glue;
using CityNode.Hal;
using CityNode.Host.Data;
using CityNode.Host.DeviceCost;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.NanoTwin;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;

namespace CityNode.Benchmarks.DeviceCost;

/// <summary>
/// Runs inside the instrumented load context (see <see cref="DeviceCostRun"/>): nodes assembled as
/// the ESP32 program assembles them (NodeAssembly, SensorFactory over simulated chips, the glue's
/// LittleFsSectors — SectorFileFlash over one littlefs file per sector — on the twin board's littlefs
/// drive), a clock that jumps, deep-sleep wakes rebuilt from flash, and the IL counter and the
/// board's flash ledger read around each part of the node's life.
/// </summary>
public static class DeviceCostHarness
{
    // Interpreter rate: the board's power.il_per_second (boards/reference.board, with its source),
    // printed with the range of the public figures (IlMeter).
    public const double IlPerSecondSlow = IlMeter.SlowIlPerSecond;
    public const double IlPerSecondFast = IlMeter.FastIlPerSecond;

    /// <summary>The reference board's constants (boards/reference.board), or the built-in reference values.</summary>
    public static readonly PowerProfile Board = LoadBoard();

    public static double IlPerSecond => Board.IlPerSecond;

    private static PowerProfile LoadBoard()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string file = Path.Combine(dir.FullName, "boards", "reference.board");
            if (File.Exists(file))
            {
                return BoardProfile.Parse(File.ReadAllText(file)).Power;
            }
        }

        return new PowerProfile();
    }

    private static Func<long> _il = () => 0;
    private static Func<long> _allocs = () => 0;

    public static long Il => _il();

    /// <summary>Heap allocations executed by portable code (newobj of a class, newarr, box).</summary>
    public static long Allocs => _allocs();

    /// <summary>The entry point in the instrumented context (DeviceCostRun): the arguments one a line in, the exit code out.</summary>
    public static string Entry(string argLines) => Measure(argLines.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToString(CultureInfo.InvariantCulture);

    public static int Measure(string[] args)
    {
        if (IlMeter.Executed is not { } counter || IlMeter.Allocations is not { } allocations)
        {
            Console.Error.WriteLine("device-cost: CityNode.Core is not instrumented");
            return 2;
        }

        _il = counter;
        _allocs = allocations;
        bool json = args.Contains("--json");
        bool quick = args.Contains("--quick");
        var results = new List<Scenario>();
        foreach (string kind in new[] { "air", "water" })
        {
            foreach (int sample in new[] { 60, 300 })
            {
                if (quick && (kind != "air" || sample != 60))
                {
                    continue;
                }

                foreach (bool full in new[] { false, true })
                {
                    var s = Scenario.Run(kind, sample, 900, 1024, full);
                    results.Add(s);
                    if (!json)
                    {
                        Console.Error.WriteLine($"  {s.Name} done");
                    }
                }
            }
        }

        Scenario fresh = results.First(r => r.Kind == "air" && r.SampleSeconds == 60 && !r.Full);
        Scenario fullRef = results.First(r => r.Kind == "air" && r.SampleSeconds == 60 && r.Full);
        if (json)
        {
            var doc = new Dictionary<string, object>
            {
                ["reference"] = "air node (bme280, sds011, scd41), sample 60 s, publish 15 min, batch 64, 1 MB journal",
                ["sample_il"] = fresh.SampleIl,
                ["seal_il"] = fresh.SealIl,
                ["publish_il_fresh"] = fresh.PublishIl,
                ["publish_il_full"] = fullRef.PublishIl,
                ["boot_il_fresh"] = fresh.BootIl,
                ["boot_il_full"] = fullRef.BootIl,
                ["boot_file_loads_fresh"] = fresh.Boot.Loads,
                ["boot_file_loads_full"] = fullRef.Boot.Loads,
                ["publish_file_loads_full"] = fullRef.Publish.Loads,
                ["sample_file_commits"] = fresh.Sample.Commits,
                ["sample_file_rewrites"] = fresh.Sample.Commits,
                ["sample_flash_ms"] = Math.Round(fresh.Sample.Ms, 2),
                ["sample_block_erases"] = Math.Round(fresh.Sample.Erases, 3),
                ["staging_erases_per_day"] = Math.Round(fresh.Day.Erases),
                ["boot_alloc_bytes"] = fresh.BootAlloc,
                ["sample_allocations"] = fresh.SampleAlloc,
                ["seal_allocations"] = fresh.SealAlloc,
                ["publish_allocations"] = fresh.PublishAllocs,
                ["il_per_second"] = IlPerSecond,
                ["flash"] = "twin littlefs (tools/CityNode.NanoTwin/LittleFs): esp_littlefs defaults, SPI NOR erase 45 ms, page program 0.94 ms, read 0.5 ms/KB",
                ["il_per_second_range"] = new[] { IlPerSecondSlow, IlPerSecondFast },
                ["scenarios"] = results.Select(r => r.ToJson()).ToList(),
            };
            Console.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        Console.WriteLine("device cost: IL executed by CityNode.Core + CityNode.Drivers + the glue (CityNode.DeviceProgram); flash = the twin board's littlefs drive under the glue's LittleFsSectors");
        Console.WriteLine($"(esp_littlefs defaults: read/prog 128 B, cache 512 B, inline <= 512 B; NOR erase 45 ms, page program 0.94 ms, read 0.5 ms/KB)");
        Console.WriteLine($"CPU at the board's power.il_per_second {IlPerSecond / 1e6:0.#} M IL/s (range {IlPerSecondSlow / 1e6:0.#}–{IlPerSecondFast / 1e6:0.#}); mA at power.active_ua; 1 MB journal (256 files of 4 KB); publish 15 min; batch 64");
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-22} {"sample IL",10} {"seal IL",9} {"publish IL",11} {"boot IL",10} {"boot ld",8} {"pub ld",8} {"smp cm",7} {"smp er",7} {"smp ms",7} {"boot B",8} {"IL/day",8} {"erase/d",8} {"cm/day",7} {"CPU ms/d",9} {"fl ms/d",9} {"CPU mA",14} {"flash mA",8}");
        foreach (var r in results)
        {
            Console.WriteLine($"{r.Name,-22} {r.SampleIl,10:N0} {r.SealIl,9:N0} {r.PublishIl,11:N0} {r.BootIl,10:N0} {r.Boot.Loads,8:N0} {r.Publish.Loads,8:N0} {r.Sample.Commits,7:N1} {r.Sample.Erases,7:N2} {r.Sample.Ms,7:N1} {r.BootAlloc,8:N0} {r.DayIl / 1e6,7:0.0}M {r.Day.Erases,8:N0} {r.Day.Commits,7:N0} {r.CpuMsPerDay(IlPerSecond),9:N0} {r.FlashMsPerDay,9:N0} {r.CpuMa(IlPerSecond),5:0.000} ({r.CpuMa(IlPerSecondFast):0.00}–{r.CpuMa(IlPerSecondSlow):0.00}) {r.FlashMa,8:0.000}");
        }

        Console.WriteLine();
        Console.WriteLine("sample IL: a wake that only samples; seal IL: sealing a 64-sample batch (offline); publish IL: a publish wake minus its sample");
        Console.WriteLine("(connect, seal of the open batch, publish, PUBACKs, release); boot IL: NodeAssembly + drivers + runtime + Boot after a deep-sleep wake.");
        Console.WriteLine("ld = file loads (first read of an open file), cm = littlefs file commits, er = block erases, smp ms = flash time per sample,");
        Console.WriteLine("boot B = bytes allocated by the boot; erase/d = block erases per day on the whole drive; mA at the board's active current.");
        Console.WriteLine($"allocations by portable code (newobj/newarr/box executed), reference node: per sample {fresh.SampleAlloc}, per seal {fresh.SealAlloc}, per publish {fresh.PublishAllocs}");
        return 0;
    }

    /// <summary>Flash operations and time on the twin's littlefs drive (TwinLedger + TwinLittleFs.FlashMicros).</summary>
    public sealed class Ops
    {
        public double Opens;
        public double Loads;
        public double Commits;
        public double Erases;
        public double Pages;
        public double FlashMs;

        public Ops Copy() => Combine(this, new Ops(), 0);

        public Ops Minus(Ops o) => Combine(this, o, -1);

        public Ops Plus(Ops o) => Combine(this, o, 1);

        public Ops Times(double k) => new() { Opens = Opens * k, Loads = Loads * k, Commits = Commits * k, Erases = Erases * k, Pages = Pages * k, FlashMs = FlashMs * k };

        public double Ms => FlashMs;

        public object ToJson() => new
        {
            opens = Math.Round(Opens, 2),
            loads = Math.Round(Loads, 2),
            commits = Math.Round(Commits, 2),
            erases = Math.Round(Erases, 3),
            page_programs = Math.Round(Pages, 2),
            flash_ms = Math.Round(Ms, 2),
        };

        private static Ops Combine(Ops a, Ops b, double k) => new()
        {
            Opens = a.Opens + (k * b.Opens),
            Loads = a.Loads + (k * b.Loads),
            Commits = a.Commits + (k * b.Commits),
            Erases = a.Erases + (k * b.Erases),
            Pages = a.Pages + (k * b.Pages),
            FlashMs = a.FlashMs + (k * b.FlashMs),
        };
    }

    /// <summary>
    /// The I: drive of a twin board, as the ESP32 program uses it: the glue's LittleFsSectors under
    /// I:\cn\ (NodeProgram.Flash), a new one per boot (one shared sector buffer per boot), files kept
    /// over resets. The board keeps its own virtual clock (flash time is booked on it, not on the
    /// node's clock). Calls into the drive need the board entered: <see cref="Enter"/>.
    /// </summary>
    public sealed class TwinDrive : IFlashProvider
    {
        public const string Root = "I:\\cn\\";
        public readonly TwinBoard Board = new(new VirtualClock(1_700_000_000), "device-cost");
        private IFlashProvider? _sectors;

        public Ops Ops => new()
        {
            Opens = Board.Ledger.FileOpens,
            Loads = Board.Ledger.FileLoads,
            Commits = Board.Ledger.FileCommits,
            Erases = Board.Ledger.BlockErases,
            Pages = Board.Ledger.PagePrograms,
            FlashMs = Board.Drive.FlashMicros / 1000.0,
        };

        public IDisposable Enter() => Board.Enter();

        public void Reset() => _sectors = null;

        /// <summary>Bytes the twin itself allocated on the host (its FileStream copies) during flash calls: not the node's heap.</summary>
        public long HostBytes;

        public IFlash Open(string name, int sectorSize, int sectorCount)
        {
            _sectors ??= new LittleFsSectors(Root);
            IFlash inner = _sectors.Open(name, sectorSize, sectorCount); // glue + twin directory lookup: counted as the node's (~0.5 K per region)
            long a1 = GC.GetAllocatedBytesForCurrentThread();
            var flash = new HostCounted(inner, this);
            HostBytes += GC.GetAllocatedBytesForCurrentThread() - a1; // the wrapper is the harness's, not the node's
            return flash;
        }

        /// <summary>Passes flash calls to the glue, booking what the twin allocates during them as host bytes.</summary>
        private sealed class HostCounted(IFlash inner, TwinDrive drive) : IFlash
        {
            public int SectorSize => inner.SectorSize;

            public int SectorCount => inner.SectorCount;

            public FlashStatus Read(int address, byte[] buffer, int offset, int count)
            {
                long a0 = GC.GetAllocatedBytesForCurrentThread();
                FlashStatus r = inner.Read(address, buffer, offset, count);
                drive.HostBytes += GC.GetAllocatedBytesForCurrentThread() - a0;
                return r;
            }

            public FlashStatus Program(int address, byte[] buffer, int offset, int count)
            {
                long a0 = GC.GetAllocatedBytesForCurrentThread();
                FlashStatus r = inner.Program(address, buffer, offset, count);
                drive.HostBytes += GC.GetAllocatedBytesForCurrentThread() - a0;
                return r;
            }

            public FlashStatus Erase(int sector)
            {
                long a0 = GC.GetAllocatedBytesForCurrentThread();
                FlashStatus r = inner.Erase(sector);
                drive.HostBytes += GC.GetAllocatedBytesForCurrentThread() - a0;
                return r;
            }
        }
    }

    /// <summary>Plain NOR in RAM, to write a full journal quickly (not measured).</summary>
    private sealed class RamNor(int sectorSize, int sectors) : IFlash
    {
        public readonly byte[] Data = Enumerable.Repeat((byte)0xFF, sectorSize * sectors).ToArray();

        public int SectorSize => sectorSize;

        public int SectorCount => sectors;

        public FlashStatus Read(int address, byte[] buffer, int offset, int count)
        {
            Buffer.BlockCopy(Data, address, buffer, offset, count);
            return FlashStatus.Ok;
        }

        public FlashStatus Program(int address, byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                Data[address + i] &= buffer[offset + i];
            }

            return FlashStatus.Ok;
        }

        public FlashStatus Erase(int sector)
        {
            Array.Fill(Data, (byte)0xFF, sector * sectorSize, sectorSize);
            return FlashStatus.Ok;
        }
    }

    /// <summary>
    /// Writes what a journal looks like after months of delivered batches: every sector used, each
    /// starting with a STATE record, BATCH records each followed by its RELEASE (the journal's
    /// record layout, docs/reliability.md), the oldest sectors reclaimed round the region.
    /// </summary>
    private sealed class JournalFiller : ILogOwner
    {
        private readonly byte[] _state = new byte[FlashLog.RecordHeaderSize + 52];
        public uint NextSeq = 1;
        public uint LastSample;
        public long Sealed;

        public void SectorStarted(FlashLog log)
        {
            const int r = FlashLog.RecordHeaderSize;
            WriteUInt32(_state, r, NextSeq);
            WriteUInt32(_state, r + 4, NextSeq);
            WriteUInt32(_state, r + 36, LastSample);
            BitConverter.TryWriteBytes(_state.AsSpan(r + 40), Sealed);
            log.Append(0x13, _state, r, 52);
        }

        public void Reclaim(FlashLog log, int sector)
        {
        }

        public static void WriteUInt32(byte[] b, int at, uint v) => BitConverter.TryWriteBytes(b.AsSpan(at), v);
    }

    public static void FillJournal(TwinDrive drive, int journalKb, int payloadBytes, int readingsPerBatch, int samplesPerBatch)
    {
        int sectors = journalKb * 1024 / NodeAssembly.JournalSectorSize;
        var nor = new RamNor(NodeAssembly.JournalSectorSize, sectors);
        var log = new FlashLog(nor);
        var filler = new JournalFiller();
        log.Mount(filler);
        const int r = FlashLog.RecordHeaderSize; // room for the log's record header (FlashLog.Append)
        var batch = new byte[r + 20 + payloadBytes];
        var rnd = new Random(1);
        var release = new byte[r + 9];
        while (log.HeadGeneration < sectors + (sectors / 2))
        {
            uint seq = filler.NextSeq;
            filler.LastSample += (uint)samplesPerBatch;
            filler.Sealed += readingsPerBatch;
            JournalFiller.WriteUInt32(batch, r, seq);
            JournalFiller.WriteUInt32(batch, r + 4, (uint)readingsPerBatch);
            JournalFiller.WriteUInt32(batch, r + 8, filler.LastSample);
            BitConverter.TryWriteBytes(batch.AsSpan(r + 12), filler.Sealed);
            rnd.NextBytes(batch.AsSpan(r + 20));
            log.Append(0x11, batch, r, batch.Length - r);
            filler.NextSeq = seq + 1;
            JournalFiller.WriteUInt32(release, r, seq + 1);
            JournalFiller.WriteUInt32(release, r + 5, (uint)readingsPerBatch);
            log.Append(0x12, release, r, 9);
        }

        // Put on the drive as files, at no cost (as nanoff's deployment would): the state after months.
        for (int s = 0; s < sectors; s++)
        {
            var data = nor.Data.AsSpan(s * NodeAssembly.JournalSectorSize, NodeAssembly.JournalSectorSize).ToArray();
            if (data.Any(b => b != 0xFF))
            {
                drive.Board.Drive.Deploy(TwinDrive.Root + "journal\\s" + s, data);
            }
        }
    }

    /// <summary>An uplink that can be switched off (to make the node seal offline).</summary>
    private sealed class SwitchUplink(IUplink online, IUplink offline) : IUplink
    {
        public bool Online = true;
        public long Publishes;
        public long PayloadBytes;

        private IUplink U => Online ? online : offline;

        public bool IsConnected => U.IsConnected;

        public int Rssi => U.Rssi;

        public UplinkStatus Connect(int timeoutMs) => U.Connect(timeoutMs);

        public UplinkStatus Subscribe(string topic) => U.Subscribe(topic);

        public int Publish(string topic, byte[] payload, int offset, int count)
        {
            if (Online)
            {
                Publishes++;
                PayloadBytes += count;
            }

            return U.Publish(topic, payload, offset, count);
        }

        public void Poll(int timeoutMs, IUplinkEvents events) => U.Poll(timeoutMs, events);

        public void Disconnect() => U.Disconnect();
    }

    /// <summary>A node as NodeProgram builds it, rebuilt from flash at every deep-sleep wake.</summary>
    public sealed class BenchNode
    {
        private readonly VirtualClock _clock;
        private readonly NodeHardware _hw;
        private readonly NodeConfig _provisioned;
        private readonly SimPlatform _platform = new();
        private readonly SwitchUplink _uplink;
        private readonly int _journalKb;
        public readonly TwinDrive Drive;
        public readonly PowerProfile Power = Board;
        public NodeRuntime Runtime = null!;
        public NodeAssembly Assembly = null!;

        public long LastBootIl;
        public long LastBootAlloc;
        public long LastBootAllocations;
        public Ops LastBootOps = new();
        public long Boots;

        public BenchNode(string kind, int sampleSeconds, int publishSeconds, int journalKb, TwinDrive drive)
        {
            string data = Path.Combine(AppContext.BaseDirectory, "data");
            if (kind == "water")
            {
                var rec = RecordingKind.Water.LoadBundled(data);
                _clock = new VirtualClock(rec.Times[0]);
                _hw = NodeHardware.Water(_clock, RecordingKind.Water.Around(rec, 0, rec.Times[0]));
            }
            else
            {
                var rec = RecordingKind.Air.LoadBundled(data);
                var uci = RecordingKind.Co2.LoadBundled(data);
                _clock = new VirtualClock(rec.Times[0]);
                var air = RecordingKind.Air.Around(rec, 0, rec.Times[0]);
                var co2 = RecordingKind.Co2.Around(uci, 0, rec.Times[0]);
                _hw = NodeHardware.Air(_clock, air, co2, usePms: false);
            }

            _provisioned = NodeConfig.Parse($"node.id = 7\nsample = {sampleSeconds}s\npublish = {publishSeconds}s\n" + _hw.SensorLines);
            _journalKb = journalKb;
            Drive = drive;
            _uplink = new SwitchUplink(new ModelUplink(_clock, Power.ConnectPublishMs), new OfflineUplink(_clock));
            Build(ResetCause.PowerOn);
        }

        public bool Online { get => _uplink.Online; set => _uplink.Online = value; }

        public VirtualClock Clock => _clock;

        public double AveragePayload => _uplink.Publishes == 0 ? 0 : (double)_uplink.PayloadBytes / _uplink.Publishes;

        public long Sequence => Assembly.Store.NextSequence;

        /// <summary>What NodeProgram.Main does after a reset, measured.</summary>
        public void Build(ResetCause cause)
        {
            _platform.ResetCause = cause;
            _platform.WakeupCause = cause == ResetCause.DeepSleepWake ? 4 : 0;
            int bootMs = cause == ResetCause.DeepSleepWake ? Power.BootMs : 0;
            _clock.Advance(bootMs);
            var ops0 = Drive.Ops;
            long il0 = Il;
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            long host0 = Drive.HostBytes;
            long n0 = Allocs;
            Drive.Reset();
            Assembly = new NodeAssembly(Drive, _provisioned, _journalKb);
            var sampler = new Sampler(SensorFactory.Create(Assembly.Config, _hw.Buses), _clock);
            Runtime = Assembly.Build(sampler, _clock, _platform, _uplink, Power);
            Runtime.Boot(bootMs);
            LastBootAlloc = GC.GetAllocatedBytesForCurrentThread() - a0 - (Drive.HostBytes - host0);
            LastBootAllocations = Allocs - n0;
            LastBootIl = Il - il0;
            LastBootOps = Drive.Ops.Minus(ops0);
            Boots++;
        }

        /// <summary>One wake and the sleep after it (a deep sleep ends in a measured boot).</summary>
        public CycleOutcome Step(out long il, out Ops ops, out long alloc, out bool booted)
        {
            var ops0 = Drive.Ops;
            long il0 = Il;
            long a0 = Allocs;
            CycleOutcome o = Runtime.RunCycle();
            alloc = Allocs - a0;
            il = Il - il0;
            ops = Drive.Ops.Minus(ops0);
            long wake = _clock.MonotonicMs + Math.Max(o.SleepMs, 1000);
            wake = (wake + 999) / 1000 * 1000;
            long ms = wake - _clock.MonotonicMs;
            _clock.Advance(ms);
            booted = false;
            if (o.RestartRequested || o.Sleep == SleepKind.Deep)
            {
                Build(o.RestartRequested ? ResetCause.Software : ResetCause.DeepSleepWake);
                Runtime.Slept(SleepKind.Deep, ms);
                booted = true;
            }
            else
            {
                Runtime.Slept(SleepKind.Light, ms);
            }

            return o;
        }
    }

    public sealed class Scenario
    {
        public string Kind = "";
        public int SampleSeconds;
        public bool Full;
        public string Name => $"{Kind} {SampleSeconds}s {(Full ? "full 1MB" : "fresh")}";
        public double SampleIl;
        public double SealIl;
        public double PublishIl;
        public double BootIl;
        public long BootAlloc;
        public long SampleAlloc;
        public long SealAlloc;
        public long PublishAllocs;
        public Ops Sample = new();
        public Ops Publish = new();
        public Ops Boot = new();
        public double DayIl;
        public Ops Day = new();
        public int SleepKindDeep;
        public int ActiveUa;

        public double CpuMsPerDay(double ilPerSecond) => DayIl / ilPerSecond * 1000;

        public double FlashMsPerDay => Day.Ms;

        public double CpuMa(double ilPerSecond) => CpuMsPerDay(ilPerSecond) / 86_400_000.0 * ActiveUa / 1000.0;

        public double FlashMa => FlashMsPerDay / 86_400_000.0 * ActiveUa / 1000.0;

        public object ToJson() => new
        {
            name = Name,
            kind = Kind,
            sample_s = SampleSeconds,
            journal = Full ? "full" : "fresh",
            sample_il = Math.Round(SampleIl),
            seal_il = Math.Round(SealIl),
            publish_il = Math.Round(PublishIl),
            boot_il = Math.Round(BootIl),
            boot_alloc_bytes = BootAlloc,
            sample_allocations = SampleAlloc,
            seal_allocations = SealAlloc,
            publish_allocations = PublishAllocs,
            sample_flash = Sample.ToJson(),
            publish_flash = Publish.ToJson(),
            boot_flash = Boot.ToJson(),
            day_il = Math.Round(DayIl),
            day_flash = Day.ToJson(),
            cpu_ms_per_day = Math.Round(CpuMsPerDay(IlPerSecond)),
            cpu_ma = Math.Round(CpuMa(IlPerSecond), 4),
            cpu_ma_range = new[] { Math.Round(CpuMa(IlPerSecondFast), 4), Math.Round(CpuMa(IlPerSecondSlow), 4) },
            flash_ms_per_day = Math.Round(FlashMsPerDay),
            flash_ma = Math.Round(FlashMa, 4),
            deep_sleep_boots_per_day = SleepKindDeep,
        };

        public static Scenario Run(string kind, int sampleSeconds, int publishSeconds, int journalKb, bool full)
        {
            var drive = new TwinDrive();
            using var board = drive.Enter();
            if (full)
            {
                // A batch as the node seals it: measured on a short fresh run of the same node.
                var probeDrive = new TwinDrive();
                BenchNode probe;
                using (probeDrive.Enter())
                {
                    probe = new BenchNode(kind, sampleSeconds, publishSeconds, journalKb, probeDrive);
                    for (int i = 0; i < (3 * publishSeconds / sampleSeconds) + 3; i++)
                    {
                        probe.Step(out _, out _, out _, out _);
                    }
                }

                int perBatch = Math.Max(1, publishSeconds / sampleSeconds);
                FillJournal(drive, journalKb, (int)Math.Max(16, probe.AveragePayload), perBatch * probe.Runtime.Ring.ChannelCount, perBatch);
            }

            var node = new BenchNode(kind, sampleSeconds, publishSeconds, journalKb, drive);
            var s = new Scenario { Kind = kind, SampleSeconds = sampleSeconds, Full = full, ActiveUa = node.Power.ActiveMicroamps };

            // Warm up: two publish periods.
            int perPublish = Math.Max(1, publishSeconds / sampleSeconds);
            for (int i = 0; i < (2 * perPublish) + 2; i++)
            {
                node.Step(out _, out _, out _, out _);
            }

            // Measure: a window of whole publish periods, scaled to a day.
            var samples = new List<(long Il, Ops Ops, long Alloc)>();
            var publishes = new List<(long Il, Ops Ops, long Alloc)>();
            var boots = new List<(long Il, Ops Ops, long Alloc)>();
            long totalIl = 0;
            var totalOps = new Ops();
            int cycles = Math.Max(4, 2 * 3600 / sampleSeconds);
            long msStart = MonotonicOf(node);
            for (int i = 0; i < cycles; i++)
            {
                long seq = node.Sequence;
                var o = node.Step(out long il, out Ops ops, out long alloc, out bool booted);
                totalIl += il;
                totalOps = totalOps.Plus(ops);
                if (booted)
                {
                    boots.Add((node.LastBootIl, node.LastBootOps, node.LastBootAlloc));
                    totalIl += node.LastBootIl;
                    totalOps = totalOps.Plus(node.LastBootOps);
                    s.SleepKindDeep++;
                }

                if (o.Connected)
                {
                    publishes.Add((il, ops, alloc));
                }
                else if (o.Sampled && node.Sequence == seq)
                {
                    samples.Add((il, ops, alloc));
                }
            }

            double seconds = (MonotonicOf(node) - msStart) / 1000.0;
            double perDay = 86400 / seconds;
            s.DayIl = totalIl * perDay;
            s.Day = totalOps.Times(perDay);
            s.SleepKindDeep = (int)Math.Round(s.SleepKindDeep * perDay);
            s.SampleIl = Median(samples.Select(x => (double)x.Il));
            s.SampleAlloc = samples.Count == 0 ? 0 : samples.Max(x => x.Alloc);
            s.Sample = Average(samples.Select(x => x.Ops));
            s.PublishIl = Median(publishes.Select(x => (double)x.Il)) - s.SampleIl;
            s.Publish = Average(publishes.Select(x => x.Ops)).Minus(s.Sample);
            s.PublishAllocs = publishes.Count == 0 ? 0 : publishes.Max(x => x.Alloc);

            // A boot is measured after every deep sleep; at light sleep, after a forced wake from deep sleep.
            if (boots.Count == 0)
            {
                node.Assembly.Store.Checkpoint(); // what the runtime saves before it deep-sleeps (SaveRuntime)
                node.Build(ResetCause.DeepSleepWake);
                boots.Add((node.LastBootIl, node.LastBootOps, node.LastBootAlloc));
            }

            s.BootIl = Median(boots.Select(x => (double)x.Il));
            s.Boot = Average(boots.Select(x => x.Ops));
            s.BootAlloc = (long)Median(boots.Select(x => (double)x.Alloc));

            // Seal: offline, the ring fills a whole batch and seals it without connecting.
            node.Online = false;
            for (int i = 0; i < NodeConfigBatch(node) + 4; i++)
            {
                long seq = node.Sequence;
                var o = node.Step(out long il, out _, out long alloc, out _);
                if (node.Sequence != seq && o.Sampled)
                {
                    s.SealIl = il - s.SampleIl;
                    s.SealAlloc = alloc;
                    break;
                }
            }

            return s;
        }

        private static int NodeConfigBatch(BenchNode node) => node.Runtime.Config.Batch;

        private static long MonotonicOf(BenchNode node) => node.Clock.MonotonicMs;

        private static double Median(IEnumerable<double> xs)
        {
            var a = xs.OrderBy(x => x).ToArray();
            return a.Length == 0 ? 0 : a[a.Length / 2];
        }

        private static Ops Average(IEnumerable<Ops> xs)
        {
            var list = xs.ToList();
            var sum = new Ops();
            foreach (var x in list)
            {
                sum = sum.Plus(x);
            }

            return list.Count == 0 ? sum : sum.Times(1.0 / list.Count);
        }
    }
}
