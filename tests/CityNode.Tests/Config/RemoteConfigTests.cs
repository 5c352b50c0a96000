using CityNode.Config;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;
using CityNode.Storage;
using CityNode.Tests.Delivery;
using Xunit;

namespace CityNode.Tests.Config;

/// <summary>Remote configuration through the retained config topic, on a real (embedded) MQTT broker.</summary>
public class RemoteConfigTests
{
    [Fact]
    public async Task A_valid_change_is_applied_at_the_next_connection_reported_and_survives_a_power_loss()
    {
        await using var rig = await NodeRig.StartAsync();
        rig.RunFor(TimeSpan.FromMinutes(30));
        await rig.RetainConfigAsync("config.version = 2\nsample = 120s\n");
        Assert.Equal(60, rig.Runtime.Config.SampleSeconds); // nothing changes until the node connects

        // Two publish windows: MQTTnet may hand the retained message over after the session's PUBACKs
        // (its application messages and acknowledgements travel on different tasks), and then the
        // node applies it at the following connection. M2Mqtt on the device keeps wire order.
        rig.RunFor(TimeSpan.FromMinutes(35));
        Assert.Equal(120, rig.Runtime.Config.SampleSeconds);
        Assert.Equal(2, rig.Runtime.Config.Version);
        Assert.Equal(0, rig.ConfigRestarts); // an interval applies without a restart

        rig.RunFor(TimeSpan.FromMinutes(40));
        await rig.SettleAsync();
        var last = rig.Sink.Batches.OrderBy(b => b.Sequence).Last();
        Assert.Equal(2, last.Diagnostic("config_version"));
        var times = last.Samples.Times.Take(last.Samples.Count).ToArray();
        Assert.All(times.Zip(times.Skip(1)), p => Assert.Equal(120, p.Second - p.First));

        rig.Boot(ResetCause.PowerOn); // power loss: RAM gone, the flash copy stays
        Assert.Equal(120, rig.Runtime.Config.SampleSeconds);
        Assert.Equal(2, rig.Runtime.Config.Version);
    }

    [Theory]
    [InlineData("config.version = 3\nsample = 5s\n", "sample: 5s is outside")]
    [InlineData("config.version = 3\nmqtt.broker = mqtts://elsewhere:8883\n", "mqtt.broker: cannot be changed remotely")]
    [InlineData("config.version = 3\npublish = 30s\n", "publish: shorter than sample")]
    [InlineData("sample = 120s\n", "config.version: required")]
    public async Task An_invalid_document_is_refused_with_its_reason_and_the_old_config_kept(string document, string reason)
    {
        await using var rig = await NodeRig.StartAsync();
        rig.RunFor(TimeSpan.FromMinutes(20));
        await rig.RetainConfigAsync(document);
        rig.RunFor(TimeSpan.FromMinutes(55)); // three windows: see the note on the valid change above
        await rig.SettleAsync();

        Assert.Equal(60, rig.Runtime.Config.SampleSeconds);
        Assert.Equal(0, rig.Runtime.Config.Version);
        var last = rig.Sink.Batches.OrderBy(b => b.Sequence).Last();
        Assert.Equal(document.StartsWith("config.version = 3", StringComparison.Ordinal) ? 3 : 0, last.Diagnostic("config_rejected_version"));
        Assert.StartsWith("config: ", last.DiagnosticsText);
        Assert.Contains(reason[..Math.Min(reason.Length, 30)], last.DiagnosticsText);
        Assert.Equal(0, last.Diagnostic("config_version"));
    }

    [Fact]
    public async Task A_refusal_is_still_reported_after_a_deep_sleep()
    {
        // Five-minute samples: the node deep-sleeps between them, and RAM is lost every time.
        await using var rig = await NodeRig.StartAsync(extraConfig: "sample = 5m\npublish = 15m\n");
        rig.RunFor(TimeSpan.FromMinutes(20));
        await rig.RetainConfigAsync("config.version = 4\nbatch = 5000\n");
        for (int i = 0; i < 12; i++)
        {
            var o = rig.Runtime.RunCycle();
            rig.Clock.Advance(o.SleepMs);
            Assert.Equal(SleepKind.Deep, o.Sleep);
            rig.Boot(ResetCause.DeepSleepWake);
        }

        await rig.SettleAsync();
        var last = rig.Sink.Batches.OrderBy(b => b.Sequence).Last();
        Assert.Equal(4, last.Diagnostic("config_rejected_version"));
        Assert.Contains("batch", last.DiagnosticsText);
    }

    [Fact]
    public async Task A_batch_size_change_restarts_the_node_without_losing_a_reading()
    {
        await using var rig = await NodeRig.StartAsync();
        long produced = rig.RunFor(TimeSpan.FromMinutes(20));
        await rig.RetainConfigAsync("config.version = 2\nbatch = 16\n");
        produced += rig.RunFor(TimeSpan.FromHours(3));
        Assert.Equal(1, rig.ConfigRestarts);
        Assert.Equal(16, rig.Runtime.Config.Batch);
        rig.Runtime.Flush();
        await rig.SettleAsync();
        Assert.Equal(produced, rig.Sink.Batches.Sum(b => b.ReadingCount));
        Assert.True(rig.Sink.Batches.Where(b => b.Diagnostic("config_version") == 2).All(b => b.Samples.Count <= 16));
    }

    [Fact]
    public void A_power_cut_at_any_flash_write_of_a_new_config_leaves_the_old_or_the_new_never_a_mix()
    {
        var provisioned = NodeConfig.Parse("node.id = 9\nconfig.version = 1\nsample = 60s\npublish = 15m\n");
        const string oldDoc = "config.version = 2\nsample = 30s\npublish = 5m\n";
        const string newDoc = "config.version = 3\nsample = 300s\npublish = 1h\nlow_battery_mv = 3300\n";
        int cutsTried = 0;
        for (long cutAt = 1; ; cutAt++)
        {
            var flash = new SimFlash(4096, 2, seed: (int)cutAt);
            var store = new ConfigStore(flash);
            Assert.True(store.Save(oldDoc));
            var current = RemoteConfig.Effective(provisioned, new ConfigStore(flash));
            var remote = new RemoteConfig("citynode/9/config");
            var bytes = System.Text.Encoding.ASCII.GetBytes(newDoc);
            remote.OnMessage("citynode/9/config", bytes, 0, bytes.Length);
            flash.PowerCutAt = flash.WriteOperations + cutAt;
            try
            {
                remote.Apply(current, provisioned, new ConfigStore(flash), out _);
                break; // no write left to cut
            }
            catch (PowerCutException)
            {
                cutsTried++;
            }

            var after = RemoteConfig.Effective(provisioned, new ConfigStore(flash));
            bool isOld = after.Version == 2 && after.SampleSeconds == 30 && after.PublishSeconds == 300 && after.LowBatteryMillivolts == 3400;
            bool isNew = after.Version == 3 && after.SampleSeconds == 300 && after.PublishSeconds == 3600 && after.LowBatteryMillivolts == 3300;
            Assert.True(isOld || isNew, $"cut at write {cutAt}: version {after.Version}, sample {after.SampleSeconds}, publish {after.PublishSeconds}");
        }

        Assert.True(cutsTried >= 2, "the save must have been cut at its erase and at its program");
    }

    [Fact]
    public void The_store_alternates_slots_and_a_corrupt_newest_falls_back_to_the_other()
    {
        var flash = new SimFlash(4096, 2);
        var store = new ConfigStore(flash);
        Assert.Null(store.Load());
        Assert.True(store.Save("config.version = 2\n"));
        Assert.True(store.Save("config.version = 3\n"));
        Assert.Equal("config.version = 3\n", new ConfigStore(flash).Load());

        // Flip a bit in the newest record's text: its CRC fails and the older one is used.
        var reader = new ConfigStore(flash);
        reader.Load();
        int newestSlot = reader.Generation == 2 ? 1 : 0;
        var one = new byte[] { 0x00 };
        flash.Program((newestSlot * 4096) + 12, one, 0, 1);
        Assert.Equal("config.version = 2\n", new ConfigStore(flash).Load());
    }
}
