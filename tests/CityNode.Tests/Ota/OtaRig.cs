using System.Security.Cryptography;
using CityNode.Host.Ota;
using CityNode.Host.SimulatedHal;
using CityNode.Ota;

namespace CityNode.Tests.Ota;

/// <summary>
/// A node's OTA flash (state region and two slots, simulated NOR with power cuts) and the objects a
/// boot builds over it: <see cref="Boot"/> is what the loader and the node do after every reset or
/// deep-sleep wake, so state carried across it comes from flash only.
/// </summary>
public sealed class OtaRig
{
    public const string Node = "node-7";
    public const string Group = "river";
    public const int SlotSectors = 16;
    public const uint LoaderVersion = (1u << 24) | (2u << 12); // 1.2.0

    public OtaRig(int seed = 1)
    {
        State = new SimFlash(OtaUpdater.StateSectorSize, OtaUpdater.StateSectors, seed);
        SlotA = new SimFlash(OtaUpdater.SlotSectorSize, SlotSectors, seed + 1);
        SlotB = new SimFlash(OtaUpdater.SlotSectorSize, SlotSectors, seed + 2);
        Key = RandomNumberGenerator.GetBytes(32);
        Boot();
    }

    public SimFlash State { get; }

    public SimFlash SlotA { get; }

    public SimFlash SlotB { get; }

    public byte[] Key { get; }

    public BootRecord Record { get; private set; } = null!;

    public SlotLoader Loader { get; private set; } = null!;

    public OtaUpdater Updater { get; private set; } = null!;

    /// <summary>The slot the loader chose at the last boot.</summary>
    public int BootedSlot { get; private set; }

    /// <summary>A reset or deep-sleep wake: everything rebuilt from flash.</summary>
    public void Boot()
    {
        Record = new BootRecord(State, 0);
        Loader = new SlotLoader(Record, SlotLoader.DefaultMaxTrialBoots);
        BootedSlot = Loader.BeginBoot();
        Updater = new OtaUpdater(State, SlotA, SlotB, Loader, new HmacSha256(Key), Node, Group, LoaderVersion);
        Updater.Mount();
    }

    public SimFlash Slot(int slot) => slot == 0 ? SlotA : SlotB;

    public static Release MakeRelease(uint counter, string version = "1.3.0", int seed = 5, params int[] sizes)
    {
        var rnd = new Random(seed);
        if (sizes.Length == 0)
        {
            sizes = [9000, 4096, 300];
        }

        var files = sizes.Select((n, i) =>
        {
            var b = new byte[n];
            rnd.NextBytes(b);
            return new ReleaseFile($"App{i}.pe", b);
        }).ToList();
        return Release.Create(files, Release.ParseVersion(version, "version"), counter, Release.ParseVersion("1.0.0", "min loader"));
    }

    public byte[] ManifestFor(Release r) => r.Manifest(OtaManifest.TargetNode, Node, Key);

    public OtaReply Offer(byte[] manifest) => Updater.OfferManifest(manifest, manifest.Length);

    public OtaReply OfferChunk(byte[] chunk) => Updater.OfferChunk(chunk, chunk.Length);

    /// <summary>Offers every chunk of <paramref name="r"/> once.</summary>
    public void DeliverAll(Release r)
    {
        for (int c = 0; c < r.ChunkCount; c++)
        {
            OfferChunk(r.Chunk(c));
        }
    }

    /// <summary>The bytes of <paramref name="r"/>'s file <paramref name="file"/> as the slot holds them.</summary>
    public byte[] SlotFile(int slot, Release r, int file)
    {
        var flash = Slot(slot);
        int first = r.Files.Take(file).Sum(f => (f.Bytes.Length + Release.ChunkSize - 1) / Release.ChunkSize);
        var bytes = new byte[r.Files[file].Bytes.Length];
        for (int at = 0; at < bytes.Length; at += Release.ChunkSize)
        {
            int n = Math.Min(Release.ChunkSize, bytes.Length - at);
            flash.Read(((first + (at / Release.ChunkSize)) * Release.ChunkSize), bytes, at, n);
        }

        return bytes;
    }
}
