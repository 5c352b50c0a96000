using CityNode.Host.Mqtt;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.Node;
using CityNode.Tests.Delivery;
using CityNode.Tests.Device;
using CityNode.Tests.Faults;
using Xunit;

namespace CityNode.Tests.Node;

/// <summary>
/// Issue 15, item 2: one node, assembled one way. The fault rig, the node rig and the host
/// simulation must reconcile the node the ESP32 program builds, not a look-alike (the fault rig's
/// RAM fallback was once 16 KB where the device's is one worst-case batch, the node rig had none,
/// both rings were a fixed 16 KB).
/// </summary>
public class OneAssemblyTests
{
    /// <summary>
    /// 8 channels (BME280, SDS011, SCD41, TDS probe: 3 + 2 + 1 + 2, as the fault rig's scripted 8) in batches of 16: a batch is
    /// small enough that the RAM fallback, not the 4 KB journal sector, bounds the largest payload, so
    /// the store's limit shows the fallback's size.
    /// </summary>
    private const string Workload = "sample = 60s\npublish = 15m\nbatch = 16\n";

    private static readonly (string, string)[] EightChannels = { ("bme280", "i2c:0x76"), ("sds011", "uart:COM2"), ("scd41", "i2c:0x62"), ("tds", "adc:5") };

    /// <summary>What assembling decides, read from the parts the runtime runs on.</summary>
    private static string Layout(NodeAssembly a, NodeRuntime r) =>
        $"journal {a.Journal.Log.SectorSize} B x {a.Journal.Log.SectorCount}, staging {a.Staging.Log.SectorSize} B x {a.Staging.Log.SectorCount}, " +
        $"ring {r.Ring.Capacity} B, largest batch {a.Store.MaxPayload} B, batch {r.Config.Batch} x {r.Ring.ChannelCount} channels";

    [Fact]
    public async Task The_fault_rig_the_node_rig_and_the_host_simulation_run_the_esp32_programs_node()
    {
        await using var rig = await DeviceRig.StartAsync();
        var clock = new VirtualClock(1_700_000_000);
        var device = rig.Add(new DeviceNode(1, clock, NodeHardware.ForSensors(clock, EightChannels, new World()), rig.Address, "node.id = 1\n" + Workload, new NodeStorage(64)));
        rig.Run(TimeSpan.FromMinutes(2));
        string expected = Layout(device.Program!.Node, device.Program.Runtime);

        // The device's figures, worked out by hand: the ring holds 16 + 8 samples of at most 67 B (SampleRing.MaxRecordBytes(8));
        // the RAM fallback one worst-case batch, 256 + 8 × 16 + 16 × 9 × 11 + 64 = 2032 B, of which 10 B are its header
        // (a 4 KB journal sector takes 4073 B); the journal 256 KB of 4 KB sectors, the staging log 32 inline files of 512 B.
        Assert.Equal("journal 4096 B x 64, staging 512 B x 32, ring 1608 B, largest batch 2022 B, batch 16 x 8 channels", expected);

        var fault = new FaultRig(extraConfig: Workload);
        Assert.Equal(expected, Layout(fault.Driver.Assembly, fault.Runtime));

        var node = new NodeRig(extraConfig: Workload) { UplinkUrl = "mqtt://127.0.0.1:1" };
        node.Boot();
        Assert.Equal(expected, Layout(node.Driver.Assembly, node.Runtime));

        var hostClock = new VirtualClock(1_700_000_000);
        using var simulated = new SimulatedNode(2, hostClock, NodeHardware.ForSensors(hostClock, EightChannels, new World()), BrokerAddress.Parse("mqtt://127.0.0.1:1"), "node.id = 2\n" + Workload, new NodeStorage(64));
        Assert.Equal(expected, Layout(simulated.Driver.Assembly, simulated.Runtime));
    }
}
