using CityNode.Host.Data;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.NanoTwin;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Device;

/// <summary>
/// The ESP32 program (NodeProgram and its glue) on the nanoFramework twin, one test per firmware
/// behaviour the glue must handle (issue "The ESP32 program runs in the simulation"). Each fails
/// on the glue as it was before the fix it guards (named in each test).
/// </summary>
public class GlueOnTwinTests
{
    /// <summary>
    /// Behaviour 1: SerialPort.Read(buf, off, count) on the ESP32 waits for all count bytes or throws
    /// TimeoutException. The old EspUart asked for 64 (PMS5003) or 32 (SDS011) bytes with a 100 ms
    /// timeout: every read timed out and no particulate reading ever came.
    /// </summary>
    [Fact]
    public async Task Particulate_sensors_deliver_through_the_esp32_serial_port()
    {
        await using var rig = await DeviceRig.StartAsync();
        var sds = rig.AddAirNode(pms: false);
        var pms = rig.AddAirNode(pms: true);
        rig.Run(TimeSpan.FromMinutes(40));
        Assert.True(sds.Flush() && pms.Flush());
        await rig.SettleAsync();
        foreach (var node in new[] { sds, pms })
        {
            var pm25 = rig.Readings(node.Id, Channels.Pm25).ToList();
            Assert.True(pm25.Count >= 35, $"node {node.Id}: {pm25.Count} PM2.5 readings");
            Assert.All(pm25, r => Assert.Equal(ReadingStatus.Ok, r.Status));
            var world = node.World;
            Assert.All(pm25, r => Assert.Equal(world.Value(Channels.Pm25, r.Time, new ChannelSpec(Channels.Pm25, Units.MicrogramPerCubicMetre, 1, node.Hardware.Sds is null ? 0 : -1)), (double)r.Value!.Value, 6));
        }
    }

    /// <summary>
    /// Behaviours 2 and 3: one II2cBus per port (the old glue had one shared bus id, last asked
    /// wins) and every device on a port opened at the port's configured speed (the old Bmxx80 port
    /// opened its device at 400 kHz with the two-argument settings, re-clocking the whole port).
    /// </summary>
    [Fact]
    public async Task Two_i2c_buses_each_read_on_its_own_pins_at_its_own_speed()
    {
        await using var rig = await DeviceRig.StartAsync();
        var air = Recording.Load(Paths.Data(RecordingKind.Air.Bundled));
        var co2 = Recording.Load(Paths.Data(RecordingKind.Co2.Bundled));
        var water = Recording.Load(Paths.Data(RecordingKind.Water.Bundled));
        long start = CitySimulation.Present(air.Times[0]);
        var clock = new VirtualClock(start);
        var hw = NodeHardware.AirAndWater(clock, RecordingKind.Air.Around(air, 0, start), RecordingKind.Co2.Around(co2, 0, start), RecordingKind.Water.Around(water, 0, start));
        var node = rig.Add(new DeviceNode(1, clock, hw, rig.Address, "node.id = 1\nsample = 60s\npublish = 15m\n", new NodeStorage(16), "esp32-devkitc-dual-i2c"));
        rig.Run(TimeSpan.FromMinutes(20));
        Assert.True(node.Flush());
        await rig.SettleAsync();

        // The port state is RAM: what the last boot did (the delivering boot at the end) is what is left to see.
        Assert.Equal(new[] { 400_000 }, I2cTwin.TransferSpeeds(node.Board, 1).Keys);
        Assert.Equal(new[] { 100_000 }, I2cTwin.TransferSpeeds(node.Board, 2).Keys);
        Assert.True(hw.Buses.SimI2c(1).Transactions.GetValueOrDefault(0x76) > 0 && hw.Buses.SimI2c(1).Transactions.GetValueOrDefault(0x62) > 0);
        Assert.True(hw.Buses.SimI2c(2).Transactions.GetValueOrDefault(0x63) > 0 && hw.Buses.SimI2c(2).Transactions.GetValueOrDefault(0x62) > 0);
        foreach (int channel in new[] { Channels.AirTemperature, Channels.Co2, Channels.WaterTemperature, Channels.Ph, Channels.Orp })
        {
            var readings = rig.Readings(1, channel).ToList();
            Assert.True(readings.Count >= 15, $"channel {channel}: {readings.Count} readings");
            Assert.All(readings, r => Assert.Equal(ReadingStatus.Ok, r.Status));
        }
    }

    [Fact]
    public async Task Every_device_on_a_port_runs_at_the_port_speed()
    {
        await using var rig = await DeviceRig.StartAsync();
        var node = rig.AddAirNode(); // reference board: I2C1 at the default 100 kHz, BME280 and SCD41 on it
        rig.Run(TimeSpan.FromMinutes(5));
        Assert.Equal(new[] { 100_000 }, I2cTwin.TransferSpeeds(node.Board, 1).Keys);
        Assert.True(I2cTwin.Transfers(node.Board, 1).GetValueOrDefault(0x76) > 0 && I2cTwin.Transfers(node.Board, 1).GetValueOrDefault(0x62) > 0);
    }

    /// <summary>
    /// Behaviour 4: the nanoFramework Bmxx80 binding ignores transfer results, so a chip that leaves
    /// the bus reads as zeros (≈ −140 °C). The node must report faults, never such a value, and must
    /// not crash: the old port dereferenced a binding that failed to reopen (NullReferenceException
    /// → crash → reboot, counted toward safe mode), and caught only IOException.
    /// </summary>
    [Fact]
    public async Task A_bme280_that_leaves_the_bus_is_a_fault_and_the_node_runs_on()
    {
        await using var rig = await DeviceRig.StartAsync();
        var node = rig.AddAirNode();
        var bus = node.Hardware.Buses.SimI2c(1);
        rig.Run(TimeSpan.FromMinutes(10));
        long gone = node.Clock.UnixSeconds;
        bus.Detach(0x76);
        rig.Run(TimeSpan.FromMinutes(20));
        long back = node.Clock.UnixSeconds;
        bus.Attach(0x76, node.Hardware.Bme!);
        rig.Run(TimeSpan.FromMinutes(10));
        Assert.True(node.Flush());
        await rig.SettleAsync();

        var t = rig.Readings(node.Id, Channels.AirTemperature).ToList();
        Assert.All(t.Where(r => r.Value is not null), r => Assert.InRange(r.Value!.Value, -40m, 85m));
        var away = rig.Slots(node.Id, Channels.AirTemperature).Where(s => s.Time > gone + 60 && s.Time < back).ToList();
        Assert.True(away.Count >= 15, $"{away.Count} samples while the chip was away");
        Assert.All(away, s => Assert.NotEqual(ReadingStatus.Ok, s.Status)); // a fault, then missing while absent: never a value
        Assert.Contains(away, s => s.Status == ReadingStatus.Fault);
        Assert.True(rig.Slots(node.Id, Channels.Co2).Count(s => s.Time > gone + 60 && s.Time < back && s.Status == ReadingStatus.Ok) >= 15); // the node sampled on
        Assert.Contains(t, r => r.Time > back + 120 && r.Status == ReadingStatus.Ok); // found again
        Assert.DoesNotContain(node.Board.ConsoleLines, l => l.Contains("crash", StringComparison.Ordinal));
        Assert.False(node.Dead);
    }

    /// <summary>
    /// Behaviour 5: every Connect* saves SSID/password and the firmware keeps the options it finds
    /// (default AutoConnect): the old glue left the node joining Wi-Fi at every boot before Main.
    /// Now the options are chosen before each deep sleep: Wi-Fi started at boot only when that wake
    /// publishes (joined when the node connects), off otherwise.
    /// </summary>
    [Fact]
    public async Task Wifi_is_on_at_boot_only_for_the_wakes_that_publish()
    {
        await using var rig = await DeviceRig.StartAsync();
        var node = rig.AddAirNode(config: "sample = 300s\npublish = 30m\nsleep = deep\n");
        rig.Run(TimeSpan.FromHours(6));
        var ledger = node.Board.Ledger;
        long publishes = node.TotalAcknowledged;
        int boots = node.Board.Boots;
        Assert.True(boots >= 70, $"{boots} boots");
        Assert.InRange(publishes, 10, 14); // every 30 min
        // Each join (scan + association + DHCP, ~1.5 s) is paid by a publishing wake, not by every boot, and the
        // radio is on at all (from boot through sampling, ~10 s) only in those wakes.
        long radioOn = ledger.RadioMs(RadioState.Started) + ledger.RadioMs(RadioState.Connecting) + ledger.RadioMs(RadioState.Associated);
        Assert.True(ledger.RadioMs(RadioState.Connecting) < (publishes + 2) * 2000, $"{ledger.RadioMs(RadioState.Connecting)} ms connecting for {publishes} publishes over {boots} boots");
        Assert.True(radioOn < (publishes + 2) * 12_000, $"{radioOn} ms with the radio on for {publishes} publishes over {boots} boots: {ledger}");
    }

    /// <summary>
    /// Behaviour 6: the radio is chosen at reset (the Wi-Fi options saved before a deep sleep), and a
    /// wake decides to publish only after its sensors' warm-up and reads (~40 s here). The old runtime
    /// foresaw the decision at the wake itself, so a retry whose backoff ended during the warm-up found
    /// a boot without its radio, failed as "no network" with the network up, and doubled the backoff:
    /// after an outage of an hour a node stayed away for hours more (found by a simulation whose node
    /// missed a release). Now a boot without its radio that must publish restarts into one.
    /// </summary>
    [Fact]
    public async Task After_an_outage_no_session_fails_for_want_of_a_radio_with_the_network_up()
    {
        await using var rig = await DeviceRig.StartAsync();
        var node = rig.AddAirNode(config: "sample = 60s\npublish = 15m\nsleep = deep\n");
        long downFrom = node.ElapsedMs + (long)TimeSpan.FromMinutes(20).TotalMilliseconds;
        long downUntil = downFrom + (long)TimeSpan.FromMinutes(70).TotalMilliseconds;
        bool Up(long at) => at < downFrom || at >= downUntil;
        node.NetworkUp = () => Up(node.ElapsedMs);

        int failedDown = 0, failedUp = 0;
        long until = node.ElapsedMs + (long)TimeSpan.FromHours(6).TotalMilliseconds;
        while (node.ElapsedMs < until)
        {
            long at = node.ElapsedMs, retries = node.TotalRetries;
            node.Step();
            if (node.TotalRetries > retries)
            {
                if (Up(at) && Up(node.ElapsedMs))
                {
                    failedUp++;
                }
                else
                {
                    failedDown++;
                }
            }
        }

        Assert.True(failedDown >= 3, $"{failedDown} sessions failed in the outage: the test must make the node back off");
        Assert.Equal(0, failedUp);
        Assert.True(node.Flush());
        await rig.SettleAsync();
        Assert.Equal(node.ProducedReadings, rig.Sink.Batches.Where(b => b.NodeId == node.Id).Sum(b => (long)b.ReadingCount));
    }
}
