using CityNode.Host.SimulatedHal;
using CityNode.Sensors;
using CityNode.Storage;
using Xunit;

namespace CityNode.Tests.Storage;

/// <summary>
/// Power cut at every flash write while samples are staged, sealed in jumps, and the staging log
/// compacts (copies unsealed samples out of the sector it reclaims): after each cut every unsealed
/// sample that was written is restored once, in order, intact, with the latest runtime record.
/// </summary>
public class StagingPowerCutTests
{
    private const int Channels = 3;

    private sealed record Op(int Kind, uint Id, int[] Values, byte Blob); // 0 append, 1 seal up to Id, 2 runtime

    private static List<Op> Workload()
    {
        var rnd = new Random(3);
        var ops = new List<Op>();
        uint id = 0;
        uint sealedTo = 0;
        for (int i = 0; i < 120; i++)
        {
            if (i % 13 == 12)
            {
                ops.Add(new Op(2, 0, Array.Empty<int>(), (byte)i));
            }
            else if (i % 11 == 10 && id > sealedTo + 3)
            {
                // Seal all but the last three: live samples stay behind in older sectors.
                sealedTo = id - 3;
                ops.Add(new Op(1, sealedTo, Array.Empty<int>(), 0));
            }
            else
            {
                ops.Add(new Op(0, ++id, new[] { rnd.Next(-1000, 1000), rnd.Next(), i }, 0));
            }
        }

        return ops;
    }

    private static SampleFrame Frame(Op op)
    {
        var f = new SampleFrame(Channels) { ChannelCount = Channels, Time = 1_700_000_000 + (op.Id * 60) };
        for (int c = 0; c < Channels; c++)
        {
            f.Values[c] = op.Values[c];
            f.Status[c] = (byte)(op.Id % 4 == 0 && c == 1 ? 2 : 0);
        }

        return f;
    }

    [Fact]
    public void Every_write_point_restores_the_unsealed_samples_once()
    {
        var ops = Workload();
        var clean = new SimFlash(256, 4);
        var s0 = new SampleStaging(clean, Channels, 64);
        s0.Mount(0);
        foreach (var op in ops)
        {
            Apply(s0, op);
        }

        long writes = clean.WriteOperations;
        Assert.True(clean.EraseCounts.Sum() > 8, "the workload must make the staging log reclaim sectors");

        for (long cut = 1; cut <= writes; cut++)
        {
            var flash = new SimFlash(256, 4, seed: (int)cut);
            var s = new SampleStaging(flash, Channels, 64);
            s.Mount(0);
            flash.PowerCutAt = cut;
            var written = new SortedDictionary<uint, Op>();
            uint sealedTo = 0;
            byte blob = 0;
            Op? inFlight = null;
            try
            {
                foreach (var op in ops)
                {
                    inFlight = op;
                    Apply(s, op);
                    switch (op.Kind)
                    {
                        case 0: written[op.Id] = op; break;
                        case 1: sealedTo = op.Id; break;
                        default: blob = op.Blob; break;
                    }
                }

                inFlight = null;
            }
            catch (PowerCutException)
            {
            }

            var after = new SampleStaging(flash, Channels, 64);
            after.Mount(sealedTo);
            var expected = written.Keys.Where(id => id > sealedTo).ToList();
            var frame = new SampleFrame(Channels);
            var restored = new List<uint>();
            for (int i = 0; i < after.RestoredCount; i++)
            {
                uint id = after.Restored(i, frame);
                restored.Add(id);
                var op = written.TryGetValue(id, out var w) ? w : inFlight!;
                Assert.True(op.Kind == 0 && op.Id == id, $"cut {cut}: restored sample {id} was never written");
                var f = Frame(op);
                Assert.Equal(f.Time, frame.Time);
                Assert.Equal(f.Values.Take(Channels), frame.Values.Take(Channels));
                Assert.Equal(f.Status.Take(Channels), frame.Status.Take(Channels));
            }

            if (inFlight is { Kind: 0 } && restored.Contains(inFlight.Id))
            {
                expected.Add(inFlight.Id);
            }

            Assert.True(expected.SequenceEqual(restored), $"cut {cut}: expected [{string.Join(",", expected)}] restored [{string.Join(",", restored)}] sealed {sealedTo} inflight {inFlight}");
            var rt = new byte[SampleStaging.MaxRuntimeBytes];
            int len = after.ReadRuntime(rt);
            if (blob != 0 && !(inFlight is { Kind: 2 }))
            {
                Assert.True(len == 1 && rt[0] == blob, $"cut {cut}: runtime record lost");
            }
        }
    }

    private static void Apply(SampleStaging s, Op op)
    {
        switch (op.Kind)
        {
            case 0:
                Assert.True(s.Append(op.Id, Frame(op)));
                break;
            case 1:
                s.SealedId = op.Id;
                break;
            default:
                Assert.True(s.SaveRuntime(new[] { op.Blob }, 1));
                break;
        }
    }
}
