using CityNode.Config;
using CityNode.Host.SimulatedHal;
using CityNode.Node;
using CityNode.Sensors;
using CityNode.Storage;
using Xunit;

namespace CityNode.Tests.Node;

/// <summary>What a deep sleep keeps of the runtime (issue 15: a persisted record that does not fit must fail loudly).</summary>
public class RuntimeRecordTests
{
    [Fact]
    public void The_record_fits_the_staging_logs_runtime_slot()
    {
        Assert.True(RuntimeRecord.Size <= SampleStaging.MaxRuntimeBytes, $"{RuntimeRecord.Size} B > {SampleStaging.MaxRuntimeBytes} B");
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

        var schedule = new NodeSchedule(9, 3) { NextSampleId = 42 };
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
        var schedule2 = new NodeSchedule(9, 3);
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
        var schedule = new NodeSchedule(9, 3) { NextSampleId = 5 };
        Assert.Equal(-1, new RuntimeRecord().Restore(staging, schedule, new DeliverySession(new NodeServices(), new byte[64], NodeConfig.Parse("node.id = 9\n")), new PhaseAccount()));
        Assert.Equal(5u, schedule.NextSampleId);
    }
}
