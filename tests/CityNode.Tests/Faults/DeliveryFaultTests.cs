using CityNode.Host.SimulatedHal;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Faults;

/// <summary>Faults between the node's journal and the broker, each reconciled reading by reading.</summary>
public class DeliveryFaultTests
{
    [Fact]
    public void Power_cut_between_publish_and_puback_resends_and_the_backend_stores_once()
    {
        var rig = new FaultRig();
        rig.RunFor(TimeSpan.FromHours(1));
        // The next batch reaches the broker, then the node dies before the PUBACK arrives.
        bool armed = true;
        rig.Uplink.AfterStored = () =>
        {
            if (armed)
            {
                armed = false;
                throw new PowerCutException(0);
            }
        };
        rig.RunFor(TimeSpan.FromHours(2));
        rig.Drain();

        Assert.Equal(1, rig.PowerCuts);
        rig.Reconcile();
        Assert.Equal(1, rig.Receiver.Stats.DuplicatesSuppressed);
        Assert.Equal(0, rig.Receiver.Stats.Gaps);
    }

    [Fact]
    public void Power_cut_between_puback_and_journal_release_resends_and_the_backend_stores_once()
    {
        var rig = new FaultRig();
        rig.RunFor(TimeSpan.FromHours(1));
        // The PUBACK arrives; the power fails at the flash write that releases the record.
        bool armed = true;
        rig.Uplink.BeforeAck = () =>
        {
            if (armed)
            {
                armed = false;
                rig.JournalFlash.PowerCutAt = rig.JournalFlash.WriteOperations + 1;
            }
        };
        rig.RunFor(TimeSpan.FromHours(2));
        rig.Drain();

        Assert.Equal(1, rig.PowerCuts);
        Assert.True(rig.Receiver.Stats.DuplicatesSuppressed <= 1);
        Assert.Equal(0, rig.Receiver.Stats.Gaps);
        rig.Reconcile();
    }

    [Fact]
    public void Retries_exhausted_within_a_connection_keep_the_record_for_the_next_one()
    {
        var rig = new FaultRig();
        rig.Uplink.Fate = i => i == 0 ? PublishFate.GiveUp : PublishFate.Ack;
        rig.RunFor(TimeSpan.FromHours(2));
        rig.Drain();

        Assert.Equal(1, rig.Runtime.FailedDeliveries);
        Assert.Equal(rig.Receiver.Stats.Batches + 1, rig.Uplink.Publishes); // the given-up batch went again, once
        Assert.Equal(0, rig.Receiver.Stats.DuplicatesSuppressed);
        Assert.Equal(0, rig.Receiver.Stats.Gaps);
        Assert.Equal(1u, rig.Sink.Batches.Min(b => b.Sequence));
        rig.Reconcile();
    }

    [Fact]
    public void A_puback_refusal_quarantines_the_batch_without_a_resend_loop_and_reports_it()
    {
        var rig = new FaultRig();
        rig.Uplink.Fate = i => i == 1 ? PublishFate.Refuse : PublishFate.Ack;
        rig.RunFor(TimeSpan.FromHours(2));
        rig.Drain();

        Assert.Equal(1, rig.Journal.QuarantinedBatches);
        Assert.True(rig.Journal.QuarantinedReadings > 0);
        Assert.True(rig.Uplink.Publishes <= rig.Receiver.Stats.Batches + 1, "the refused batch was sent once, never again");
        var last = rig.Sink.Batches.OrderBy(b => b.Sequence).Last();
        Assert.Equal(1, last.Diagnostic("quarantined_batches"));
        Assert.Equal(rig.Journal.QuarantinedReadings, last.Diagnostic("dropped_readings"));
        Assert.Equal(1, rig.Receiver.Stats.Gaps); // the backend sees the hole, and the node's counters explain it
        rig.Reconcile();
    }

    [Fact]
    public void Sleep_with_publishes_in_flight_keeps_them_and_a_late_puback_releases_nothing_wrong()
    {
        var rig = new FaultRig();
        // The broker stores every PUBLISH of the first session but no PUBACK comes back: the node's
        // publish budget runs out and it goes to sleep with four publishes in flight.
        rig.Uplink.Fate = i => i < 4 ? PublishFate.StoredNoAck : PublishFate.Ack;
        rig.RunFor(TimeSpan.FromMinutes(16));
        Assert.Equal(1, rig.Journal.PendingCount);
        int staleHandle = rig.Uplink.LastHandle;

        // A PUBACK of the old session arrives in the new one: its handle means nothing now.
        rig.Uplink.InjectLateAck(staleHandle);
        rig.RunFor(TimeSpan.FromHours(1));
        rig.Drain();
        Assert.True(rig.Receiver.Stats.DuplicatesSuppressed >= 1);
        Assert.Equal(0, rig.Receiver.Stats.Gaps);
        rig.Reconcile();
    }

    [Fact]
    public void Nan_infinity_and_out_of_range_values_are_flagged_invalid_and_the_rest_still_arrives()
    {
        // Channel 1: NaN as the binding port maps it (long.MinValue); 2: +Inf (MaxValue); 3: beyond int steps.
        var rig = new FaultRig(values: (t, c) => c switch
        {
            1 => long.MinValue,
            2 => long.MaxValue,
            3 => 99_000_000_000_000_000L,
            _ => (20 + c) * 1_000_000L,
        });
        rig.RunFor(TimeSpan.FromHours(1));
        rig.Drain();

        var b = rig.Sink.Batches.First();
        var s = b.Samples;
        for (int i = 0; i < s.Count; i++)
        {
            Assert.Equal(ReadingStatus.Ok, s.Status[s.Index(0, i)]);
            Assert.Equal(2000, s.Values[s.Index(0, i)]);
            for (int c = 1; c <= 3; c++)
            {
                Assert.Equal(ReadingStatus.Invalid, s.Status[s.Index(c, i)]);
            }
        }

        Assert.Contains(CityNode.Host.Receiving.Reading.From(b), r => r.StatusName == "invalid" && r.Value is null);
        rig.Reconcile();
    }

    [Fact]
    public void Bad_blocks_appearing_in_the_journal_degrade_capacity_but_lose_nothing_that_was_kept()
    {
        var rig = new FaultRig(journalSectors: 16, sectorSize: 1024);
        rig.Uplink.NetworkUp = false;
        rig.RunFor(TimeSpan.FromHours(2));
        foreach (int s in Enumerable.Range(0, 16).Where(s => s % 3 == 1))
        {
            rig.JournalFlash.BadSectors.Add(s);
        }

        rig.RunFor(TimeSpan.FromHours(30)); // long enough to wrap the journal over the bad sectors
        rig.Drain();
        Assert.True(rig.Journal.Log.BadSectors > 0, "the journal noticed the bad sectors");
        rig.Reconcile();
    }

    [Fact]
    public void A_journal_with_every_sector_bad_still_samples_and_counts_what_it_cannot_keep()
    {
        var rig = new FaultRig(journalSectors: 8, sectorSize: 1024);
        for (int s = 0; s < 8; s++)
        {
            rig.JournalFlash.BadSectors.Add(s);
        }

        rig.Boot(CityNode.Hal.ResetCause.PowerOn);
        rig.RunFor(TimeSpan.FromHours(3)); // never throws: the node degrades, it does not brick
        rig.Drain();
        Assert.True(rig.Store.Degraded > 0);
        Assert.Equal(rig.Produced, rig.Receiver.Stats.Readings); // published from RAM
        rig.Reconcile();
    }
}
