using CityNode.Hal;
using CityNode.Telemetry;
using CityNode.Tests.Delivery;
using Xunit;

namespace CityNode.Tests.Node;

/// <summary>The node's life cycle: when it publishes, how it sleeps, what its diagnostics say.</summary>
public class NodeLifecycleTests
{
    [Fact]
    public async Task Publishes_once_per_freshness_window_and_no_sample_waits_longer()
    {
        await using var rig = await NodeRig.StartAsync();
        rig.RunFor(TimeSpan.FromHours(4));
        rig.Runtime.Flush();
        await rig.SettleAsync();
        var batches = rig.Sink.Batches.OrderBy(b => b.Sequence).ToList();
        // publish = 15m at one sample a minute: a connection serves 16 samples, the oldest 15 min old.
        Assert.InRange(batches.Count, 15, 17);
        foreach (var b in batches.SkipLast(1))
        {
            Assert.Equal(16, b.Samples.Count);
            Assert.Equal(15 * 60, b.Samples.Times[b.Samples.Count - 1] - b.Samples.Times[0]);
        }
    }

    // Light sleep keeps the last sample in RAM; a deep-sleeping node compares with the newest sample the ring kept in flash.
    [Theory]
    [InlineData("auto")]
    [InlineData("deep")]
    public async Task A_jump_above_the_threshold_publishes_at_once(string sleep)
    {
        await using var rig = await NodeRig.StartAsync(extraConfig: $"early.pm2_5 = 25\nsleep = {sleep}", channels: 1);
        rig.Sensor.Spec(0, Channels.Pm25);
        rig.RunFor(TimeSpan.FromMinutes(5));
        await rig.SettleAsync();
        Assert.Empty(rig.Sink.Batches);
        rig.Sensor.Offset = 40_000_000; // PM2.5 jumps by 40 µg/m³
        rig.RunFor(TimeSpan.FromMinutes(1));
        await rig.SettleAsync();
        Assert.Equal(6, rig.Sink.Batches.Single().Samples.Count);
    }

    /// <summary>
    /// As on the ESP32, the radio is chosen at reset and the last sleep did not foresee this publish
    /// (a jump cannot be foreseen): the boot restarts at once into one with the radio and publishes
    /// there. Before, it tried the session without a radio, failed as "no network" and backed off.
    /// </summary>
    [Fact]
    public async Task A_jump_in_a_boot_without_the_radio_publishes_after_one_restart_into_one()
    {
        await using var rig = await NodeRig.StartAsync(extraConfig: "early.pm2_5 = 25", channels: 1);
        rig.Sensor.Spec(0, Channels.Pm25);
        rig.Platform.RadioChosenAtReset = true;
        rig.Platform.RadioStaysOnUntilReset = true;
        rig.Platform.RadioReady = false; // a boot with the Wi-Fi off, light-sleeping between samples
        rig.RunFor(TimeSpan.FromMinutes(5));
        int resets = rig.Driver.Resets;
        rig.Sensor.Offset = 40_000_000; // PM2.5 jumps by 40 µg/m³
        rig.RunFor(TimeSpan.FromSeconds(75)); // the next sample; before: a failed session there, and a try after the backoff
        Assert.Equal(2, rig.Driver.Resets - resets); // the restart for the radio, and the deep sleep after its session
        await rig.SettleAsync();
        Assert.Equal(6, rig.Sink.Batches.Single().Samples.Count);
    }

    /// <summary>
    /// The restart for the radio is tried once: a board whose radio does not come (its Wi-Fi options
    /// did not save) tries the session as it is and backs off, instead of restarting every second.
    /// </summary>
    [Fact]
    public async Task A_radio_that_never_comes_is_restarted_for_once_per_attempt_not_every_second()
    {
        await using var rig = await NodeRig.StartAsync(extraConfig: "sleep = deep");
        rig.Platform.RadioStaysOnUntilReset = true;
        rig.Platform.RadioReady = false; // and stays so: RadioChosenAtReset off
        rig.RunFor(TimeSpan.FromHours(2));
        // One reset per sample (deep sleep), one per attempt's restart for the radio; the attempts back off.
        Assert.InRange(rig.Driver.Resets, 120, 140);
        Assert.Empty(rig.Sink.Batches);
    }

    [Fact]
    public async Task A_full_batch_publishes_before_the_window_ends()
    {
        await using var rig = await NodeRig.StartAsync(extraConfig: "batch = 5");
        rig.RunFor(TimeSpan.FromMinutes(12));
        await rig.SettleAsync();
        Assert.Equal(2, rig.Sink.Batches.Count);
        Assert.All(rig.Sink.Batches, b => Assert.Equal(5, b.Samples.Count));
    }

    [Fact]
    public async Task Every_batch_carries_the_diagnostics_of_its_window()
    {
        await using var rig = await NodeRig.StartAsync();
        rig.Platform.BatteryMillivolts = 3712;
        rig.Platform.FreeHeapBytes = 61_440;
        rig.Platform.ResetCause = ResetCause.DeepSleepWake;
        rig.Platform.WakeupCause = 4;
        rig.RunFor(TimeSpan.FromMinutes(40));
        await rig.SettleAsync();
        var b = rig.Sink.Batches.OrderBy(x => x.Sequence).Skip(1).First();
        Assert.Equal(3712, b.Diagnostic("battery_mv"));
        Assert.Equal(-67, b.Diagnostic("rssi_dbm"));
        Assert.Equal((long)ResetCause.DeepSleepWake, b.Diagnostic("reset_cause"));
        Assert.Equal(4, b.Diagnostic("wakeup_cause"));
        Assert.Equal(61_440, b.Diagnostic("free_heap"));
        foreach (var field in new[] { "boot_ms", "sample_ms", "connect_ms", "publish_ms", "light_sleep_ms", "deep_sleep_ms", "sensor_faults", "publish_retries", "dropped_readings", "journal_recoveries", "cycles", "produced_readings", "wait_ms" })
        {
            Assert.NotNull(b.Diagnostic(field));
        }

        // The window of a batch covers the time since the previous one: ~16 minutes, mostly light sleep.
        long total = b.Diagnostic("boot_ms")!.Value + b.Diagnostic("sample_ms")!.Value + b.Diagnostic("connect_ms")!.Value
            + b.Diagnostic("publish_ms")!.Value + b.Diagnostic("light_sleep_ms")!.Value + b.Diagnostic("deep_sleep_ms")!.Value;
        Assert.InRange(total, 15 * 60_000, 17 * 60_000);
        Assert.True(b.Diagnostic("light_sleep_ms") > total * 9 / 10);
        Assert.Equal(2500, b.Diagnostic("connect_ms"));
    }

    [Fact]
    public async Task Long_intervals_sleep_deep_and_short_ones_light()
    {
        await using var light = await NodeRig.StartAsync();
        Assert.Equal(SleepKind.Light, light.Runtime.RunCycle().Sleep);
        await using var deep = await NodeRig.StartAsync(extraConfig: "sample = 5m\npublish = 1h".Replace("sample = 5m", "sample = 300s"), channels: 2);
        Assert.Equal(SleepKind.Deep, deep.Runtime.RunCycle().Sleep);
    }

    [Fact]
    public async Task A_low_battery_stretches_sampling()
    {
        await using var rig = await NodeRig.StartAsync();
        rig.Platform.BatteryMillivolts = 3300; // below the 3400 mV default threshold
        long produced = rig.RunFor(TimeSpan.FromHours(1));
        Assert.InRange(produced / 8, 29, 31); // one sample every 2 minutes instead of every minute
    }
}
