using CityNode.Hal;
using CityNode.Node;
using CityNode.Tests.Faults;
using Xunit;

namespace CityNode.Tests.Node;

/// <summary>
/// The one wake/sleep driver (issue 15 item 2): what a sleep and a reset do, the same for the device
/// loop and every host harness.
/// </summary>
public class WakeSleepDriverTests
{
    /// <summary>
    /// A deep sleep is a reset: RAM is gone, the next wake runs a new runtime that found the open
    /// batch in the staging log, and the sleep is accounted once (by the runtime, from the record it
    /// saved). The fault rig once booted a new runtime and then also accounted the sleep itself,
    /// reporting every deep sleep twice; the node rig kept RAM over a deep sleep.
    /// </summary>
    [Fact]
    public void A_deep_sleep_is_a_reset_the_next_wake_rebuilds_from_flash_and_accounts_once()
    {
        var rig = new FaultRig(extraConfig: "sleep = deep\nsample = 300s\npublish = 1h\n");
        var first = rig.Runtime;
        rig.RunFor(TimeSpan.FromMinutes(1)); // the first wake samples, then sleeps deep until the next sample
        Assert.NotSame(first, rig.Runtime);
        Assert.Equal(1, rig.Driver.Resets);
        Assert.Equal(ResetCause.DeepSleepWake, rig.Platform.ResetCause);
        Assert.Equal(1, rig.Runtime.RestoredSamples);

        rig.RunFor(TimeSpan.FromHours(2)); // publishes every hour: 12 samples a window, 11 deep sleeps of ~5 min
        rig.Drain();
        var b = rig.Sink.Batches.OrderBy(x => x.Sequence).Skip(1).First();
        long total = b.Diagnostic("boot_ms")!.Value + b.Diagnostic("sample_ms")!.Value + b.Diagnostic("connect_ms")!.Value
            + b.Diagnostic("publish_ms")!.Value + b.Diagnostic("light_sleep_ms")!.Value + b.Diagnostic("deep_sleep_ms")!.Value;
        Assert.InRange(total, 55 * 60_000, 65 * 60_000); // one hour's window, not two
        Assert.True(b.Diagnostic("deep_sleep_ms") > 50 * 60_000);
        rig.Reconcile();
    }

    /// <summary>A restart, a crash and a power cut each rebuild the runtime; readings reconcile over all of them.</summary>
    [Fact]
    public void Every_reset_rebuilds_the_runtime_and_nothing_measured_is_lost()
    {
        var rig = new FaultRig();
        rig.RunFor(TimeSpan.FromMinutes(10));
        var before = rig.Runtime;
        rig.Boot(ResetCause.Software);
        Assert.NotSame(before, rig.Runtime);
        Assert.Equal(10, rig.Runtime.RestoredSamples); // the open batch came back from the staging log
        rig.RunFor(TimeSpan.FromMinutes(10));
        rig.Boot(ResetCause.PowerOn);
        rig.RunFor(TimeSpan.FromMinutes(30));
        Assert.Equal(2, rig.Driver.Resets);
        rig.Drain();
        rig.Reconcile();
        Assert.InRange(rig.Produced, 50 * 8, 52 * 8); // a sample a minute for 50 minutes, each boundary may add one
    }
}
