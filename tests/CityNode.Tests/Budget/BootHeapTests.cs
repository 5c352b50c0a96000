using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Hal;
using CityNode.Host.Data;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using Xunit;

namespace CityNode.Tests.Budget;

/// <summary>
/// Issue 20: the node's long-lived allocations at boot stay within 40 KB for the reference
/// configuration (air node bme280 + sds011 + scd41, sample 60 s, publish 15 min, batch 64, 1 MB
/// journal), measured with the GC's allocation counter around what NodeProgram.Main does after a
/// deep-sleep wake, on sector files in RAM (so that only the node's own allocations count).
/// </summary>
public sealed class BootHeapTests
{
    /// <summary>As the glue's LittleFsSectors: one folder per region, one file per sector, one shared sector buffer.</summary>
    private sealed class RamFiles : IFlashProvider
    {
        private readonly Dictionary<string, Dictionary<int, byte[]>> _regions = new();
        private SectorBuffer? _buffer;

        public void Reset() => _buffer = null;

        public IFlash Open(string name, int sectorSize, int sectorCount)
        {
            if (!_regions.TryGetValue(name, out var files))
            {
                _regions[name] = files = new Dictionary<int, byte[]>();
            }

            _buffer ??= new SectorBuffer(NodeAssembly.JournalSectorSize);
            return new SectorFileFlash(new Region(files), sectorSize, sectorCount, _buffer);
        }

        private sealed class Region(Dictionary<int, byte[]> files) : ISectorFiles
        {
            public int Load(int sector, byte[] into) => Load(sector, into, into.Length);

            public bool Save(int sector, byte[] from) => Save(sector, from, from.Length);

            public int Load(int sector, byte[] into, int count) => LoadPrefix(sector, into, count) < 0 ? -1 : 1;

            public int LoadPrefix(int sector, byte[] into, int count)
            {
                if (!files.TryGetValue(sector, out var data))
                {
                    return 0;
                }

                int n = Math.Min(count, data.Length);
                Buffer.BlockCopy(data, 0, into, 0, n);
                return n;
            }

            public bool Save(int sector, byte[] from, int count)
            {
                // Into the file's existing array where it fits: the store itself should not count.
                if (!files.TryGetValue(sector, out var data) || data.Length != count)
                {
                    files[sector] = data = new byte[count];
                }

                Buffer.BlockCopy(from, 0, data, 0, count);
                return true;
            }
        }
    }

    [Fact]
    public void The_reference_node_allocates_at_most_40_KB_at_boot()
    {
        var air = Recording.Load(Paths.Data(RecordingKind.Air.Bundled));
        var co2 = Recording.Load(Paths.Data(RecordingKind.Co2.Bundled));
        long start = CitySimulation.Present(air.Times[0]);
        var clock = new VirtualClock(start);
        var hw = NodeHardware.Air(clock, RecordingKind.Air.Around(air, 0, start), RecordingKind.Co2.Around(co2, 0, start), false);
        var provisioned = NodeConfig.Parse("node.id = 7\nsample = 60s\npublish = 900s\n" + hw.SensorLines);
        var drive = new RamFiles();
        var platform = new SimPlatform();
        var uplink = new ModelUplink(clock, 3000);
        var power = new PowerProfile();

        NodeRuntime Boot(ResetCause cause)
        {
            platform.ResetCause = cause;
            drive.Reset();
            var assembly = new NodeAssembly(drive, provisioned, 1024);
            var sampler = new Sampler(SensorFactory.Create(assembly.Config, hw.Buses), clock);
            var runtime = assembly.Build(sampler, clock, platform, uplink, power);
            runtime.Boot(cause == ResetCause.DeepSleepWake ? power.BootMs : 0);
            return runtime;
        }

        // A node that has lived a while: samples staged, a batch published, then a deep-sleep wake.
        var node = Boot(ResetCause.PowerOn);
        for (int i = 0; i < 20; i++)
        {
            var o = node.RunCycle();
            clock.Advance(Math.Max(o.SleepMs, 1000));
            node.Slept(SleepKind.Light, Math.Max(o.SleepMs, 1000));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        node = Boot(ResetCause.DeepSleepWake);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(node.Ring.Count > 0, "the boot restored the staged samples");
        Assert.True(bytes <= 40 * 1024, $"{bytes} B allocated at boot (docs/device-budget.md, heap map)");
    }
}
