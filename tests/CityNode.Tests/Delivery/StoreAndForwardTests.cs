using CityNode.Host.Receiving;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Delivery;

/// <summary>The store-and-forward promises, at the reference workload (8 channels, one sample a minute), over real MQTT.</summary>
public class StoreAndForwardTests
{
    private static void AssertValues(NodeRig rig)
    {
        foreach (var b in rig.Sink.Batches)
        {
            var s = b.Samples;
            for (int c = 0; c < s.ChannelCount; c++)
            {
                for (int i = 0; i < s.Count; i++)
                {
                    Assert.Equal(ReadingStatus.Ok, s.Status[s.Index(c, i)]);
                    Assert.Equal(rig.Sensor.Steps(s.Times[i], c), s.Values[s.Index(c, i)]);
                }
            }
        }
    }

    [Fact]
    public async Task A_twelve_hour_outage_is_delivered_in_full_and_in_order()
    {
        await using var rig = await NodeRig.StartAsync();
        long produced = rig.RunFor(TimeSpan.FromHours(2));
        rig.NetworkUp = false;
        produced += rig.RunFor(TimeSpan.FromHours(12));
        Assert.True(rig.Journal.PendingCount >= 11, $"{rig.Journal.PendingCount} batches held during the outage");
        long deliveredBeforeReconnect = rig.Receiver.Stats.Readings;
        rig.NetworkUp = true;
        produced += rig.RunFor(TimeSpan.FromHours(2));
        rig.Runtime.Flush();
        await rig.SettleAsync();

        Assert.Equal(8 * 16 * 60, produced);
        Assert.Equal(produced, rig.Receiver.Stats.Readings);
        Assert.True(deliveredBeforeReconnect < produced / 4);
        Assert.Equal(0, rig.Receiver.Stats.OutOfOrder);
        Assert.Equal(0, rig.Receiver.Stats.Gaps);
        Assert.Equal(0, rig.Journal.DroppedReadings);
        AssertValues(rig);

        // Sequence numbers are dense from the first batch on, and times never go backwards.
        var batches = rig.Sink.Batches.OrderBy(b => b.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, batches.Count).Select(i => (uint)i), batches.Select(b => b.Sequence));
        var times = batches.SelectMany(b => b.Samples.Times.Take(b.Samples.Count)).ToList();
        Assert.Equal(times.OrderBy(t => t), times);
        Assert.Equal(times.Count, times.Distinct().Count());
    }

    [Fact]
    public async Task A_full_journal_drops_the_oldest_and_counts_it()
    {
        // 6 sectors of 1 KB: a few hours of batches. A two-day outage overflows it.
        await using var rig = await NodeRig.StartAsync(journalSectors: 6, sectorSize: 1024);
        rig.NetworkUp = false;
        long produced = rig.RunFor(TimeSpan.FromDays(2));
        Assert.True(rig.Journal.DroppedBatches > 0);
        rig.NetworkUp = true;
        produced += rig.RunFor(TimeSpan.FromHours(1));
        rig.Runtime.Flush();
        await rig.SettleAsync();

        long delivered = rig.Receiver.Stats.Readings;
        long dropped = rig.Journal.DroppedReadings;
        Assert.Equal(produced, delivered + dropped);

        // What arrived is the newest data: every delivered sample is later than every dropped one.
        var first = rig.Sink.Batches.Min(b => b.Sequence);
        Assert.Equal((uint)rig.Journal.DroppedBatches + 1, first);
        var oldestDelivered = rig.Sink.Batches.Min(b => b.Samples.Times[0]);
        Assert.True(oldestDelivered > rig.Clock.UnixSeconds - (3 * 86400));

        // The node reports its drops to the backend in the diagnostics.
        var last = rig.Sink.Batches.OrderBy(b => b.Sequence).Last();
        Assert.Equal(dropped, last.Diagnostic("dropped_readings"));
        Assert.Equal(rig.Journal.DroppedBatches, last.Diagnostic("dropped_batches"));
        Assert.Equal(produced, last.Diagnostic("produced_readings"));
        AssertValues(rig);
    }

    [Fact]
    public async Task A_duplicated_publish_is_stored_once()
    {
        await using var rig = await NodeRig.StartAsync();
        rig.RunFor(TimeSpan.FromHours(1));
        rig.Runtime.Flush();
        await rig.SettleAsync();
        var batch = rig.Sink.Batches.First();
        long readings = rig.Receiver.Stats.Readings;

        // The same PUBLISH again (a QoS 1 resend the node made after losing a PUBACK), over MQTT.
        var payload = PayloadOf(rig, batch.Sequence);
        var client = new CityNode.Host.Mqtt.MqttNetUplink(CityNode.Host.Mqtt.BrokerAddress.Parse(rig.Broker.Url), "citynode-42", rig.Clock);
        Assert.Equal(CityNode.Hal.UplinkStatus.Ok, client.Connect(5000));
        client.Publish("citynode/42/up", payload, 0, payload.Length);
        client.Publish("citynode/42/up", payload, 0, payload.Length);
        client.Poll(2000, new NoEvents());
        client.Disconnect();
        await rig.SettleAsync();

        Assert.Equal(readings, rig.Receiver.Stats.Readings);
        Assert.Equal(2, rig.Receiver.Stats.DuplicatesSuppressed);
    }

    [Fact]
    public async Task Deep_sleep_and_power_loss_keep_the_open_batch()
    {
        await using var rig = await NodeRig.StartAsync();
        long produced = rig.RunFor(TimeSpan.FromMinutes(10));
        Assert.True(rig.Runtime.Ring.Count > 0, "samples wait in the ring for the batch");

        // A reset (deep-sleep wake or power loss) loses RAM: the ring comes back from flash.
        rig.Boot(CityNode.Hal.ResetCause.DeepSleepWake);
        Assert.Equal(10, rig.Runtime.RestoredSamples);
        produced += rig.RunFor(TimeSpan.FromMinutes(20));
        rig.Runtime.Flush();
        await rig.SettleAsync();
        Assert.Equal(produced, rig.Receiver.Stats.Readings);
        AssertValues(rig);
    }

    private static byte[] PayloadOf(NodeRig rig, uint seq)
    {
        // Re-encode the stored batch exactly as the node did (deterministic encoder).
        var b = rig.Sink.Batches.First(x => x.Sequence == seq);
        var enc = new BatchEncoder(BatchEncoder.WorstCaseSize(b.Samples.Count, b.Samples.ChannelCount), b.Samples.Count);
        int len = enc.Encode(b.Samples, b.NodeId, b.Sequence, null);
        return enc.Buffer[..len];
    }

    private sealed class NoEvents : CityNode.Hal.IUplinkEvents
    {
        public void OnPublished(int handle, bool acknowledged, int reasonCode)
        {
        }

        public void OnMessage(string topic, byte[] payload, int offset, int count)
        {
        }
    }
}
