using CityNode.Host.SimulatedHal;
using CityNode.Ota;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>
/// Power cut at every flash write of the switch and of the boot record's later steps (trial boots,
/// confirmation, rollback): after each cut the loader boots the old release or the new one, whole —
/// the record's slot, version and counter always belong together — and the update then completes.
/// </summary>
public class SwitchPowerCutTests
{
    private static readonly uint OldVersion = 0;
    private static readonly uint NewVersion = (1u << 24) | (3u << 12);

    [Fact]
    public void Every_write_of_verify_and_switch_leaves_the_old_or_the_new_release()
    {
        var r = OtaRig.MakeRelease(7);
        var clean = Downloaded(r, 1);
        long before = clean.State.WriteOperations;
        Assert.True(clean.Updater.VerifyAndSwitch());
        long writes = clean.State.WriteOperations - before;
        Assert.True(writes >= 4, "the switch writes the record (erase, program) and clears the download");

        int sawOld = 0, sawNew = 0;
        for (int cut = 1; cut <= writes; cut++)
        {
            var rig = Downloaded(r, cut);
            rig.State.PowerCutAt = rig.State.WriteOperations + cut;
            Assert.Throws<PowerCutException>(() => rig.Updater.VerifyAndSwitch());
            rig.Boot();
            if (rig.BootedSlot == 1)
            {
                sawNew++;
                AssertNew(rig, $"cut {cut}");
                Assert.Null(rig.Updater.Pending);
            }
            else
            {
                sawOld++;
                AssertOld(rig, $"cut {cut}");

                // The download survived: verify and switch again.
                Assert.True(rig.Updater.Complete, $"cut {cut}: the download was lost");
                Assert.True(rig.Updater.VerifyAndSwitch(), $"cut {cut}: {rig.Updater.Status.LastFailure}");
                rig.Boot();
                AssertNew(rig, $"cut {cut}, switched again");
            }
        }

        Assert.True(sawOld > 0 && sawNew > 0, $"old {sawOld}, new {sawNew}: the cuts must fall on both sides of the record write");
    }

    [Fact]
    public void Every_write_of_trial_boots_confirmation_and_rollback_keeps_a_whole_record()
    {
        // Confirm after the second trial boot; or never, so the loader rolls back.
        foreach (bool confirm in new[] { true, false })
        {
            var r = OtaRig.MakeRelease(7);
            var clean = Switched(r, 1);
            long before = clean.State.WriteOperations;
            Life(clean, confirm);
            long writes = clean.State.WriteOperations - before;
            for (int cut = 1; cut <= writes; cut++)
            {
                var rig = Switched(r, cut);
                rig.State.PowerCutAt = rig.State.WriteOperations + cut;
                try
                {
                    Life(rig, confirm);
                }
                catch (PowerCutException)
                {
                }

                // Whatever was cut, the record read at the next boot is one of the whole states.
                for (int boot = 0; boot < SlotLoader.DefaultMaxTrialBoots + 1; boot++)
                {
                    rig.Boot();
                    if (rig.BootedSlot == 1)
                    {
                        AssertNew(rig, $"confirm {confirm} cut {cut} boot {boot}");
                        Assert.True(rig.Record.State is OtaState.Trial or OtaState.Confirmed);
                    }
                    else
                    {
                        Assert.Equal(OtaState.RolledBack, rig.Record.State);
                        Assert.Equal(OldVersion, rig.Record.Version);
                        Assert.Equal(0u, rig.Record.Counter);
                        Assert.Equal(7u, rig.Record.RefusedCounter);
                        Assert.Equal(OtaFailure.TrialNotConfirmed, rig.Record.Failure);
                    }
                }

                if (confirm && rig.BootedSlot == 1 && rig.Record.State == OtaState.Trial)
                {
                    Assert.True(rig.Loader.Confirm()); // the cut hit the confirmation: the next healthy cycle confirms
                }
            }
        }
    }

    // Boot twice into the trial, then confirm; or boot until the loader rolls back.
    private static void Life(OtaRig rig, bool confirm)
    {
        rig.Boot();
        rig.Boot();
        if (confirm)
        {
            Assert.True(rig.Loader.Confirm());
            rig.Boot();
        }
        else
        {
            for (int i = 0; i < SlotLoader.DefaultMaxTrialBoots; i++)
            {
                rig.Boot();
            }

            Assert.Equal(0, rig.BootedSlot);
        }
    }

    private static OtaRig Downloaded(CityNode.Host.Ota.Release r, int seed)
    {
        var rig = new OtaRig(seed);
        Assert.Equal(OtaReply.Accepted, rig.Offer(rig.ManifestFor(r)));
        rig.DeliverAll(r);
        Assert.True(rig.Updater.Complete);
        return rig;
    }

    private static OtaRig Switched(CityNode.Host.Ota.Release r, int seed)
    {
        var rig = Downloaded(r, seed);
        Assert.True(rig.Updater.VerifyAndSwitch());
        return rig;
    }

    private static void AssertNew(OtaRig rig, string at)
    {
        Assert.True(rig.Record.Slot == 1 && rig.Record.Version == NewVersion && rig.Record.Counter == 7 && rig.Record.PreviousCounter == 0,
            $"{at}: slot {rig.Record.Slot} version {rig.Record.Version:x} counter {rig.Record.Counter}: a mix");
    }

    private static void AssertOld(OtaRig rig, string at)
    {
        Assert.True(rig.Record.Slot == 0 && rig.Record.Version == OldVersion && rig.Record.Counter == 0 && rig.Record.State == OtaState.Idle,
            $"{at}: slot {rig.Record.Slot} version {rig.Record.Version:x} counter {rig.Record.Counter} state {rig.Record.State}: a mix");
    }
}
