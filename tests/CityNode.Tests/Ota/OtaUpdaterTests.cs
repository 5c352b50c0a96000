using System.Security.Cryptography;
using CityNode.Host.Ota;
using CityNode.Ota;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>Issue 16's refusals and recoveries, each with the reason the node reports.</summary>
public class OtaUpdaterTests
{
    [Fact]
    public void A_release_downloads_out_of_order_switches_to_a_trial_and_confirms()
    {
        var rig = new OtaRig();
        var r = OtaRig.MakeRelease(4);
        Assert.Equal(OtaReply.Accepted, rig.Offer(rig.ManifestFor(r)));
        Assert.Equal(OtaState.Downloading, rig.Updater.Status.State);
        Assert.Equal(9000 + 4096 + 300, rig.Updater.Status.BytesTotal);

        var order = Enumerable.Range(0, r.ChunkCount).OrderBy(i => (i * 3) % r.ChunkCount).ToList();
        foreach (int c in order)
        {
            Assert.Equal(OtaReply.Accepted, rig.OfferChunk(r.Chunk(c)));
            Assert.Equal(OtaReply.Ignored, rig.OfferChunk(r.Chunk(c))); // QoS 1 redelivery
        }

        Assert.Equal(9000 + 4096 + 300, rig.Updater.Status.BytesReceived);
        Assert.True(rig.Updater.Complete);
        Assert.True(rig.Updater.VerifyAndSwitch());
        for (int f = 0; f < r.Files.Count; f++)
        {
            Assert.Equal(r.Files[f].Bytes, rig.SlotFile(1, r, f));
        }

        rig.Boot();
        Assert.Equal(1, rig.BootedSlot);
        Assert.Equal(OtaState.Trial, rig.Updater.Status.State);
        Assert.Equal(r.Version, rig.Updater.Status.RunningVersion);
        Assert.Equal(1, rig.Record.TrialBoots);
        Assert.True(rig.Loader.Confirm());

        rig.Boot();
        Assert.Equal(1, rig.BootedSlot);
        Assert.Equal(OtaState.Confirmed, rig.Record.State);
        Assert.Equal(4u, rig.Record.Counter);
        Assert.Equal(OtaReply.Ignored, rig.Offer(rig.ManifestFor(r))); // the retained manifest at the next connection
    }

    [Fact]
    public void A_tampered_chunk_is_refused_with_its_index_and_not_written()
    {
        var rig = new OtaRig();
        var r = OtaRig.MakeRelease(2);
        rig.Offer(rig.ManifestFor(r));
        byte[] chunk = r.Chunk(1);
        chunk[OtaUpdater.ChunkHeader + 100] ^= 0x01;
        Assert.Equal(OtaReply.Refused, rig.OfferChunk(chunk));
        Assert.Equal(OtaFailure.ChunkTampered, rig.Updater.Status.LastFailure);
        Assert.Equal(1, rig.Updater.Status.FailureDetail);
        Assert.Equal(0, rig.Updater.Status.BytesReceived);
        Assert.Equal(0, rig.SlotB.WriteOperations);

        // A chunk cut short or lengthened is refused too, and the genuine one still goes in.
        Assert.Equal(OtaReply.Refused, rig.OfferChunk(r.Chunk(1)[..^1]));
        Assert.Equal(OtaReply.Accepted, rig.OfferChunk(r.Chunk(1)));
    }

    [Fact]
    public void A_chunk_of_another_release_is_ignored()
    {
        var rig = new OtaRig();
        var r = OtaRig.MakeRelease(2);
        var other = OtaRig.MakeRelease(3, seed: 9);
        rig.Offer(rig.ManifestFor(r));
        Assert.Equal(OtaReply.Ignored, rig.OfferChunk(other.Chunk(0)));
        Assert.Equal(OtaFailure.None, rig.Updater.Status.LastFailure);
        Assert.Equal(0, rig.SlotB.WriteOperations);
    }

    [Fact]
    public void A_manifest_signed_with_another_key_or_unsigned_is_refused()
    {
        var rig = new OtaRig();
        var r = OtaRig.MakeRelease(2);
        Assert.Equal(OtaReply.Refused, rig.Offer(r.Manifest(OtaManifest.TargetNode, OtaRig.Node, RandomNumberGenerator.GetBytes(32))));
        Assert.Equal(OtaFailure.BadSignature, rig.Updater.Status.LastFailure);
        Assert.Equal(OtaReply.Refused, rig.Offer(r.Template));
        Assert.Equal(OtaFailure.BadSignature, rig.Updater.Status.LastFailure);
        Assert.Equal(OtaManifest.Unsigned, rig.Updater.Status.FailureDetail);

        // One flipped bit anywhere in a signed manifest: refused (malformed or bad signature), never accepted.
        byte[] good = rig.ManifestFor(r);
        for (int bit = 0; bit < good.Length * 8; bit += 13)
        {
            byte[] m = (byte[])good.Clone();
            m[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(OtaReply.Refused, rig.Offer(m));
            Assert.Contains(rig.Updater.Status.LastFailure, new[] { OtaFailure.BadSignature, OtaFailure.ManifestMalformed });
        }

        Assert.Null(rig.Updater.Pending);
        Assert.Equal(OtaState.Idle, rig.Updater.Status.State);
    }

    [Fact]
    public void A_manifest_for_another_node_or_group_is_refused_and_its_own_group_accepted()
    {
        var rig = new OtaRig();
        var r = OtaRig.MakeRelease(2);
        Assert.Equal(OtaReply.Refused, rig.Offer(r.Manifest(OtaManifest.TargetNode, "node-8", rig.Key)));
        Assert.Equal(OtaFailure.WrongTarget, rig.Updater.Status.LastFailure);
        Assert.Equal(OtaManifest.TargetNode, rig.Updater.Status.FailureDetail);
        Assert.Equal(OtaReply.Refused, rig.Offer(r.Manifest(OtaManifest.TargetGroup, "harbour", rig.Key)));
        Assert.Equal(OtaFailure.WrongTarget, rig.Updater.Status.LastFailure);
        Assert.Equal(OtaReply.Accepted, rig.Offer(r.Manifest(OtaManifest.TargetGroup, OtaRig.Group, rig.Key)));
    }

    [Fact]
    public void A_downgrade_below_the_counter_is_refused()
    {
        var rig = new OtaRig();
        var r5 = OtaRig.MakeRelease(5, "2.0.0");
        Install(rig, r5);
        Assert.True(rig.Loader.Confirm());
        rig.Boot();

        var r3 = OtaRig.MakeRelease(3, "1.9.0", seed: 7);
        Assert.Equal(OtaReply.Refused, rig.Offer(rig.ManifestFor(r3)));
        Assert.Equal(OtaFailure.Downgrade, rig.Updater.Status.LastFailure);
        Assert.Equal(3, rig.Updater.Status.FailureDetail);

        // A newer version number does not help: the counter decides.
        var r4 = OtaRig.MakeRelease(4, "9.0.0", seed: 8);
        Assert.Equal(OtaReply.Refused, rig.Offer(rig.ManifestFor(r4)));
        Assert.Equal(OtaFailure.Downgrade, rig.Updater.Status.LastFailure);
        Assert.Equal(OtaReply.Accepted, rig.Offer(rig.ManifestFor(OtaRig.MakeRelease(6, "2.0.1", seed: 9))));
    }

    [Fact]
    public void A_release_needing_a_newer_loader_or_a_bigger_slot_is_refused()
    {
        var rig = new OtaRig();
        var r = Release.Create([new ReleaseFile("App.pe", new byte[100])], Release.ParseVersion("1.1.0", "v"), 2, Release.ParseVersion("2.0.0", "l"));
        Assert.Equal(OtaReply.Refused, rig.Offer(rig.ManifestFor(r)));
        Assert.Equal(OtaFailure.LoaderTooOld, rig.Updater.Status.LastFailure);

        var big = OtaRig.MakeRelease(2, sizes: [(OtaRig.SlotSectors * Release.ChunkSize) + 1]);
        Assert.Equal(OtaReply.Refused, rig.Offer(rig.ManifestFor(big)));
        Assert.Equal(OtaFailure.DoesNotFit, rig.Updater.Status.LastFailure);
        Assert.Equal(OtaRig.SlotSectors + 1, rig.Updater.Status.FailureDetail);
    }

    [Fact]
    public void A_truncated_download_resumes_after_deep_sleep_from_flash()
    {
        var rig = new OtaRig();
        var r = OtaRig.MakeRelease(2, sizes: [20000, 7000]);
        rig.Offer(rig.ManifestFor(r));
        int half = r.ChunkCount / 2;
        for (int c = 0; c < half; c++)
        {
            rig.OfferChunk(r.Chunk(c));
        }

        int received = rig.Updater.Status.BytesReceived;
        Assert.Equal(half * Release.ChunkSize, received);

        rig.Boot(); // deep sleep: RAM gone, the wake is a reset
        Assert.Equal(OtaState.Downloading, rig.Updater.Status.State);
        Assert.Equal(received, rig.Updater.Status.BytesReceived);
        Assert.NotNull(rig.Updater.Pending);
        long slotWrites = rig.SlotB.WriteOperations;

        // The broker restarted too: the retained manifest and every chunk come again.
        Assert.Equal(OtaReply.Ignored, rig.Offer(rig.ManifestFor(r)));
        for (int c = 0; c < half; c++)
        {
            Assert.Equal(OtaReply.Ignored, rig.OfferChunk(r.Chunk(c)));
        }

        Assert.Equal(slotWrites, rig.SlotB.WriteOperations); // nothing written twice
        for (int c = half; c < r.ChunkCount; c++)
        {
            Assert.Equal(OtaReply.Accepted, rig.OfferChunk(r.Chunk(c)));
        }

        Assert.True(rig.Updater.VerifyAndSwitch());
        rig.Boot();
        Assert.Equal(1, rig.BootedSlot);
        Assert.Equal(r.Files[0].Bytes, rig.SlotFile(1, r, 0));
        Assert.Equal(r.Files[1].Bytes, rig.SlotFile(1, r, 1));
    }

    [Fact]
    public void A_power_cut_at_every_download_write_resumes_to_the_same_slot_contents()
    {
        var r = OtaRig.MakeRelease(2, sizes: [9000, 300]);
        var clean = new OtaRig();
        clean.Offer(clean.ManifestFor(r));
        long stateWrites0 = clean.State.WriteOperations;
        clean.DeliverAll(r);
        long writes = (clean.State.WriteOperations - stateWrites0) + clean.SlotB.WriteOperations;
        Assert.True(writes >= 3 * r.ChunkCount);

        for (int cut = 1; cut <= writes; cut++)
        {
            var rig = new OtaRig(seed: cut);
            byte[] manifest = rig.ManifestFor(r);
            rig.Offer(manifest);

            // Cut the cut-th write of the download, counting the state region's and the slot's together.
            int done = 0;
            bool cutDone = false;
            for (int c = 0; c < r.ChunkCount && !cutDone; c++)
            {
                long before = rig.State.WriteOperations + rig.SlotB.WriteOperations;
                int chunkWrites = 3; // erase, program, mark
                if (done + chunkWrites >= cut)
                {
                    int k = cut - done;
                    if (k <= 2)
                    {
                        rig.SlotB.PowerCutAt = rig.SlotB.WriteOperations + k; // the slot's erase or program
                    }
                    else
                    {
                        rig.State.PowerCutAt = rig.State.WriteOperations + 1; // the mark
                    }

                    Assert.Throws<CityNode.Host.SimulatedHal.PowerCutException>(() => rig.OfferChunk(r.Chunk(c)));
                    cutDone = true;
                }
                else
                {
                    rig.OfferChunk(r.Chunk(c));
                    done += (int)(rig.State.WriteOperations + rig.SlotB.WriteOperations - before);
                }
            }

            rig.Boot();
            Assert.Equal(OtaState.Downloading, rig.Updater.Status.State);
            rig.Offer(manifest);
            rig.DeliverAll(r);
            Assert.True(rig.Updater.Complete, $"cut {cut}: not complete");
            Assert.True(rig.Updater.VerifyAndSwitch(), $"cut {cut}: {rig.Updater.Status.LastFailure} {rig.Updater.Status.FailureDetail}");
            Assert.Equal(r.Files[0].Bytes, rig.SlotFile(1, r, 0));
            Assert.Equal(r.Files[1].Bytes, rig.SlotFile(1, r, 1));
        }
    }

    [Fact]
    public void A_slot_corrupted_after_download_fails_verification_names_the_file_and_downloads_again()
    {
        var rig = new OtaRig();
        var r = OtaRig.MakeRelease(2);
        rig.Offer(rig.ManifestFor(r));
        rig.DeliverAll(r);

        // A bit of file 1's first chunk (chunk 3) drops on flash after its hash was checked.
        rig.SlotB.Program((3 * Release.ChunkSize) + 10, [0x00], 0, 1);
        Assert.False(rig.Updater.VerifyAndSwitch());
        Assert.Equal(OtaFailure.FileHashMismatch, rig.Updater.Status.LastFailure);
        Assert.Equal(1, rig.Updater.Status.FailureDetail);
        Assert.Equal(OtaState.Downloading, rig.Updater.Status.State);
        Assert.Equal(0, rig.Updater.Status.BytesReceived);

        rig.DeliverAll(r);
        Assert.True(rig.Updater.VerifyAndSwitch());
        rig.Boot();
        Assert.Equal(1, rig.BootedSlot);
    }

    [Fact]
    public void A_trial_not_confirmed_within_its_boots_rolls_back_and_is_never_taken_again()
    {
        var rig = new OtaRig();
        var r = OtaRig.MakeRelease(2);
        Install(rig, r);
        for (int boot = 1; boot <= SlotLoader.DefaultMaxTrialBoots; boot++)
        {
            Assert.Equal(1, rig.BootedSlot);
            Assert.Equal(boot, rig.Record.TrialBoots);
            rig.Boot(); // crashed, or slept without a batch acknowledged
        }

        Assert.Equal(0, rig.BootedSlot);
        Assert.Equal(OtaState.RolledBack, rig.Updater.Status.State);
        Assert.Equal(OtaFailure.TrialNotConfirmed, rig.Updater.Status.LastFailure);
        Assert.Equal(SlotLoader.DefaultMaxTrialBoots, rig.Updater.Status.FailureDetail);
        Assert.Equal(0u, rig.Updater.Status.RunningCounter);
        Assert.Equal(OtaReply.Refused, rig.Offer(rig.ManifestFor(r)));
        Assert.Equal(OtaFailure.RefusedBefore, rig.Updater.Status.LastFailure);
        Assert.False(rig.Loader.Confirm());

        // The fixed release comes with the next counter.
        Assert.Equal(OtaReply.Accepted, rig.Offer(rig.ManifestFor(OtaRig.MakeRelease(3, "1.3.1", seed: 6))));
    }

    [Fact]
    public void A_trial_whose_assemblies_do_not_load_rolls_back_at_once()
    {
        var rig = new OtaRig();
        Install(rig, OtaRig.MakeRelease(2));
        Assert.Equal(0, rig.Loader.LoadFailed());
        rig.Boot();
        Assert.Equal(0, rig.BootedSlot);
        Assert.Equal(OtaFailure.LoadFailed, rig.Updater.Status.LastFailure);

        // Rolled back, the other slot holds the refused release: no second fallback.
        Assert.Equal(0, rig.Loader.LoadFailed());
    }

    [Fact]
    public void A_new_download_is_refused_during_a_trial_and_ends_the_confirmed_slot_as_a_fallback()
    {
        var rig = new OtaRig();
        Install(rig, OtaRig.MakeRelease(2));
        Assert.Equal(OtaReply.Refused, rig.Offer(rig.ManifestFor(OtaRig.MakeRelease(3, seed: 6))));
        Assert.Equal(OtaFailure.Busy, rig.Updater.Status.LastFailure);
        Assert.True(rig.Loader.Confirm());
        Assert.True(rig.Record.OtherSlotValid);

        Assert.Equal(OtaReply.Accepted, rig.Offer(rig.ManifestFor(OtaRig.MakeRelease(3, seed: 6))));
        rig.Boot();
        Assert.False(rig.Record.OtherSlotValid); // slot 0 is being overwritten
        Assert.Equal(1, rig.Loader.LoadFailed());

        // Slot 1 does not load and slot 0 is half-written: back to the application the cable installed
        // (counter 0: the loader runs I:\app\), release 2 refused from now on.
        Assert.Equal((0u, 0u, 2u, OtaState.RolledBack, OtaFailure.LoadFailed), (rig.Record.Version, rig.Record.Counter, rig.Record.RefusedCounter, rig.Record.State, rig.Record.Failure));
        rig.Boot();
        Assert.Equal(0u, rig.Record.Counter);
    }

    /// <summary>Downloads, verifies and switches to <paramref name="r"/>, then boots into its trial.</summary>
    internal static void Install(OtaRig rig, Release r)
    {
        Assert.Equal(OtaReply.Accepted, rig.Offer(rig.ManifestFor(r)));
        rig.DeliverAll(r);
        Assert.True(rig.Updater.VerifyAndSwitch());
        rig.Boot();
    }
}
