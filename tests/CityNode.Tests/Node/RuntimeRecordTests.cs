using CityNode.Config;
using CityNode.Host.SimulatedHal;
using CityNode.Node;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Node;

/// <summary>What a deep sleep keeps of the runtime (issue 15: a persisted record that does not fit must fail loudly).</summary>
public class RuntimeRecordTests
{
    [Fact]
    public void The_record_fits_the_staging_logs_runtime_slot()
    {
        Assert.True(RuntimeRecord.MaxSize <= SampleStaging.MaxRuntimeBytes, $"{RuntimeRecord.MaxSize} B > {SampleStaging.MaxRuntimeBytes} B");
        Assert.Equal(RuntimeRecord.Size + 1 + (NodeConfig.MaxEarlyThresholds * 9), RuntimeRecord.MaxSize);
        Assert.Equal(1 + NodeSchedule.RecordBytes + DeliverySession.RecordBytes + PhaseAccount.RecordBytes + 4, RuntimeRecord.Size);
    }

    [Fact]
    public void Schedule_window_and_sleep_survive_a_save_and_a_new_boot()
    {
        var config = NodeConfig.Parse("node.id = 9\nsample = 60s\npublish = 15m\nsensor.bme280 = i2c:0x76\n");
        var flash = new SimFlash(256, 4);
        var staging = new SampleStaging(flash, 3, 16);
        staging.Mount(0);
        var services = new NodeServices();
        var frame = new SampleFrame(3) { Time = 1_700_000_000 };

        var schedule = new NodeSchedule(9) { NextSampleId = 42 };
        schedule.Start(1_700_000_000);
        schedule.Sampled(frame, config, 1_700_000_000, 60);
        schedule.Published(false, 1_700_000_010); // a failed session: the backoff runs
        var phases = new PhaseAccount();
        phases.Add(PhaseAccount.Boot, 1500);
        phases.Add(PhaseAccount.Active, 120);
        phases.Connecting(3000);
        phases.Cycle();
        var session = new DeliverySession(services, new byte[64], config);
        Assert.True(new RuntimeRecord().Save(staging, schedule, session, phases, 58_000));

        var staging2 = new SampleStaging(flash, 3, 16); // the wake: RAM is new, flash is kept
        staging2.Mount(0);
        var schedule2 = new NodeSchedule(9);
        var phases2 = new PhaseAccount();
        var session2 = new DeliverySession(services, new byte[64], config);
        Assert.Equal(58_000, new RuntimeRecord().Restore(staging2, schedule2, session2, phases2));
        Assert.Equal(schedule.NextSampleAt, schedule2.NextSampleAt);
        Assert.Equal(schedule.OldestUndelivered, schedule2.OldestUndelivered);
        Assert.Equal(42u, schedule2.NextSampleId);
        Assert.False(schedule2.ShouldPublish(1_700_000_011, 1, 0, config)); // the backoff came back too: no retry at once
        Assert.Equal(1500, phases2.Window.BootMs);
        Assert.Equal(120, phases2.Window.ActiveMs);
        Assert.Equal(3000, phases2.ConnectMs);
        Assert.Equal(3000, phases2.Window.RadioMs);
        Assert.Equal(1, phases2.Cycles);
        Assert.False(session2.ReportRejection);
    }

    [Fact]
    public void A_record_of_another_version_is_ignored()
    {
        var flash = new SimFlash(256, 4);
        var staging = new SampleStaging(flash, 3, 16);
        staging.Mount(0);
        var bytes = new byte[RuntimeRecord.Size];
        bytes[0] = RuntimeRecord.Version + 1;
        Assert.True(staging.SaveRuntime(bytes, bytes.Length));
        var schedule = new NodeSchedule(9) { NextSampleId = 5 };
        Assert.Equal(-1, new RuntimeRecord().Restore(staging, schedule, new DeliverySession(new NodeServices(), new byte[64], NodeConfig.Parse("node.id = 9\n")), new PhaseAccount()));
        Assert.Equal(5u, schedule.NextSampleId);
    }

    /// <summary>
    /// The early thresholds' last values go with the record: a node that deep-sleeps between samples
    /// sees a jump across the sleep (before, the last sample lived in RAM only, and early.* never
    /// fired on a deep-sleeping node). A channel that had no reading is compared with nothing.
    /// </summary>
    [Fact]
    public void The_early_thresholds_last_values_survive_a_deep_sleep()
    {
        var config = NodeConfig.Parse("node.id = 9\nsample = 300s\npublish = 1h\nsensor.bme280 = i2c:0x76\nearly.air_temperature = 2\nearly.relative_humidity = 10\n");
        var flash = new SimFlash(256, 4);
        var services = new NodeServices();
        SampleFrame Frame(long t, double temperature, double? humidity)
        {
            // 0.01 °C and 0.01 % steps (mantissa 1, exponent -2); humidity missing when null.
            var f = new SampleFrame(2) { Time = t, ChannelCount = 2 };
            f.Channels[0] = new ChannelSpec(Channels.AirTemperature, Units.Celsius, 1, -2);
            f.Channels[1] = new ChannelSpec(Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -2);
            f.Values[0] = (int)Math.Round(temperature * 100);
            f.Status[0] = ReadingStatus.Ok;
            f.Values[1] = (int)Math.Round((humidity ?? 0) * 100);
            f.Status[1] = humidity is null ? ReadingStatus.Missing : ReadingStatus.Ok;
            return f;
        }

        NodeSchedule Sleep(NodeSchedule before, int restoredBytes = -1)
        {
            var staging = new SampleStaging(flash, 3, 16);
            staging.Mount(0);
            Assert.True(new RuntimeRecord().Save(staging, before, new DeliverySession(services, new byte[64], config), new PhaseAccount(), 300_000));
            var woken = new SampleStaging(flash, 3, 16);
            woken.Mount(0);
            var after = new NodeSchedule(9);
            Assert.Equal(300_000, new RuntimeRecord().Restore(woken, after, new DeliverySession(services, new byte[64], config), new PhaseAccount()));
            return after;
        }

        var s = new NodeSchedule(9);
        s.Start(1_700_000_000);
        s.Sampled(Frame(1_700_000_000, 20.0, null), config, 1_700_000_000, 300);
        s = Sleep(s);
        s.Sampled(Frame(1_700_000_300, 21.5, 50), config, 1_700_000_300, 300); // +1.5 °C: under 2; humidity had no value to jump from
        Assert.False(s.ShouldPublish(1_700_000_300, 0, 1, config)); // one hour of freshness: only a jump publishes now
        s = Sleep(s);
        s.Sampled(Frame(1_700_000_600, 23.6, 50), config, 1_700_000_600, 300); // +2.1 °C across the sleep
        Assert.True(s.ShouldPublish(1_700_000_600, 0, 1, config));
        s.Published(true, 1_700_000_601);
        s = Sleep(s);
        s.Sampled(Frame(1_700_000_900, 23.0, 61), config, 1_700_000_900, 300); // humidity +11 %
        Assert.True(s.ShouldPublish(1_700_000_900, 0, 1, config));
    }
}
