using CityNode.Hal;
using CityNode.Storage;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Faults;

/// <summary>
/// A crash loop soon after boot ends in safe mode: health published, no busy loop, data kept.
/// The crashes here are watchdog or panic resets (a hang in native code, a stack overflow): the
/// sampler already treats a driver that throws as absent, so those never loop.
/// </summary>
public class SafeModeTests
{
    [Fact]
    public void Three_crashes_after_boot_start_safe_mode_which_reports_and_sleeps_an_hour()
    {
        var rig = new FaultRig();
        rig.Platform.BatteryMillivolts = 3710;
        rig.RunFor(TimeSpan.FromMinutes(50)); // healthy first: some delivered, some still in the ring
        long deliveredBefore = rig.Receiver.Stats.Readings;

        rig.Boot(ResetCause.Crash);
        rig.Boot(ResetCause.Crash);
        Assert.False(rig.Runtime.SafeMode);
        rig.Boot(ResetCause.Crash);
        Assert.True(rig.Runtime.SafeMode);

        var o = rig.Runtime.RunCycle();
        Assert.Equal(SleepKind.Deep, o.Sleep);
        Assert.Equal(3_600_000, o.SleepMs);
        Assert.False(o.Sampled); // no sensor touched
        var health = rig.Sink.Batches.OrderBy(b => b.Sequence).Last();
        Assert.Equal(3, health.Diagnostic("safe_mode_boots"));
        Assert.Equal((long)ResetCause.Crash, health.Diagnostic("reset_cause"));
        Assert.StartsWith("safe mode: 3 crashes", health.DiagnosticsText);
        Assert.Equal(Channels.BatteryVoltage, health.Samples.Channels[0].Id);
        Assert.Equal(3710, health.Samples.Values[0]);
        Assert.True(rig.Receiver.Stats.Readings > deliveredBefore + 1, "what the ring held before the crashes went out too");

        // An hour later normal mode is tried again; crashing on, it is back in safe mode after three boots.
        rig.Clock.Advance(o.SleepMs);
        rig.Boot(ResetCause.DeepSleepWake);
        Assert.False(rig.Runtime.SafeMode);
        rig.Boot(ResetCause.Crash);
        rig.Boot(ResetCause.Crash);
        rig.Boot(ResetCause.Crash);
        Assert.True(rig.Runtime.SafeMode);
        rig.Runtime.RunCycle();

        // Fixed: normal life resumes and a healthy cycle keeps the counter at zero.
        rig.Clock.Advance(3_600_000);
        rig.Boot(ResetCause.DeepSleepWake);
        Assert.False(rig.Runtime.SafeMode);
        rig.RunFor(TimeSpan.FromHours(1));
        Assert.Equal(0, new CrashCounter(rig.CrashFlash).Count());
        rig.Drain();
        rig.Reconcile();
    }

    [Fact]
    public void Crashes_separated_by_healthy_cycles_are_not_a_loop()
    {
        var rig = new FaultRig();
        rig.Boot(ResetCause.Crash);
        rig.Boot(ResetCause.Crash);
        Assert.False(rig.Runtime.SafeMode);
        rig.RunFor(TimeSpan.FromMinutes(5)); // a healthy cycle clears the count
        Assert.Equal(0, new CrashCounter(rig.CrashFlash).Count());
        rig.Boot(ResetCause.Crash);
        Assert.False(rig.Runtime.SafeMode);
        Assert.Equal(1, new CrashCounter(rig.CrashFlash).Count());
    }

    [Fact]
    public void A_normal_wake_writes_nothing_to_the_crash_counter()
    {
        var rig = new FaultRig(extraConfig: "sample = 5m\n");
        long before = rig.CrashFlash.WriteOperations;
        rig.RunFor(TimeSpan.FromHours(6)); // 72 deep-sleep wakes
        Assert.Equal(before, rig.CrashFlash.WriteOperations);
    }
}
