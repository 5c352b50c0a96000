using System.Globalization;
using System.Security.Cryptography;
using CityNode.Host.DeviceCost;
using CityNode.Ota;
using CityNode.Storage;

namespace CityNode.Host.Ota;

/// <summary>
/// `dotnet run -c Release --project tests/CityNode.Benchmarks -- ota-cost`: the IL the node's OTA
/// code executes on the interpreter, counted by the <see cref="IlInstrumenter"/> in the
/// <see cref="InstrumentedContext"/> (this class is host code; only the node's assemblies' IL is counted),
/// with the flash regions as the ESP32 has them (<see cref="SectorFileFlash"/> over whole-sector
/// files, here in memory). Also one GF(2^255 − 19) multiplication, for the Ed25519/ECDSA estimate
/// of docs/ota.md; then one boot of the loader image and the .pe size estimate (<see cref="LoaderBootCost"/>).
/// Figures printed, not asserted.
/// </summary>
public static class OtaCost
{
    /// <summary>The field multiplications of one Ed25519 verify (docs/ota.md derives it); ECDSA P-256 needs about as many with a dearer reduction.</summary>
    public const int Ed25519FieldMultiplications = 3500;

    public const int EcdsaP256FieldMultiplications = 4000;

    /// <summary>Entry in the instrumented context: arguments one a line, the printed report out.</summary>
    public static string Entry(string argLines)
    {
        if (IlMeter.Executed is not { } il)
        {
            return "ota-cost: CityNode.Core is not instrumented";
        }

        double ilPerSecond = 1_500_000; // boards/reference.board power.il_per_second
        var rows = new List<(string Name, double Il, string Note)>();

        // SHA-256 over 64 KB fed in 4 KB pieces (a chunk at a time, as the updater does).
        var sha = new Sha256();
        var block = new byte[4096];
        RandomNumberGenerator.Fill(block);
        var digest = new byte[32];
        long t = il();
        for (int i = 0; i < 16; i++)
        {
            sha.Update(block, 0, block.Length);
        }

        sha.Final(digest, 0);
        double shaPerKb = (il() - t) / 64.0;
        rows.Add(("SHA-256 per KB", shaPerKb, "managed, 64 KB in 4 KB updates"));

        // A typical release: three files, 120 KB, 30 chunks.
        var key = RandomNumberGenerator.GetBytes(32);
        var rnd = new Random(1);
        var files = new[] { 90_000, 25_000, 7_000 }.Select((n, i) =>
        {
            var b = new byte[n];
            rnd.NextBytes(b);
            return new ReleaseFile($"CityNode.Part{i}.pe", b);
        }).ToList();
        var release = Release.Create(files, OtaVersion.Pack(1, 1, 0), 2, OtaVersion.Pack(1, 0, 0));
        byte[] manifest = release.Manifest(OtaManifest.TargetNode, "node-1", key);

        t = il();
        var parsed = OtaManifest.Parse(manifest, manifest.Length);
        rows.Add(("manifest parse", il() - t, $"{manifest.Length} B, {parsed.ChunkCount} chunk hashes"));

        var mac = new HmacSha256(key);
        t = il();
        bool ok = parsed.SignedWith(mac, digest);
        rows.Add(("manifest HMAC-SHA256 verify", il() - t, ok ? "per-node key, signature choice" : "FAILED"));

        // The node's regions: state, two slots, over whole-sector files.
        var buffer = new SectorBuffer(4096);
        var state = new SectorFileFlash(new MemorySectors(), OtaUpdater.StateSectorSize, OtaUpdater.StateSectors, buffer);
        var slotA = new SectorFileFlash(new MemorySectors(), OtaUpdater.SlotSectorSize, 32, buffer);
        var slotB = new SectorFileFlash(new MemorySectors(), OtaUpdater.SlotSectorSize, 32, buffer);
        t = il();
        var loader = new SlotLoader(new BootRecord(state, 0), SlotLoader.DefaultMaxTrialBoots);
        loader.BeginBoot();
        var updater = new OtaUpdater(state, slotA, slotB, loader, mac, "node-1", "g", OtaVersion.Pack(1, 0, 0));
        updater.Mount();
        rows.Add(("boot: loader + mount, no update", il() - t, "every wake"));

        t = il();
        var reply = updater.OfferManifest(manifest, manifest.Length);
        rows.Add(("offer manifest (parse, HMAC, flash)", il() - t, reply.ToString()));

        var chunks = Enumerable.Range(0, release.ChunkCount).Select(release.Chunk).ToList();
        t = il();
        for (int c = 0; c < chunks.Count / 2; c++)
        {
            updater.OfferChunk(chunks[c], chunks[c].Length);
        }

        rows.Add(("offer chunk of 4 KB (hash, erase, program, mark)", (il() - t) / (double)(chunks.Count / 2), "mean"));

        // A deep sleep mid-download: everything rebuilt from flash.
        t = il();
        loader = new SlotLoader(new BootRecord(state, 0), SlotLoader.DefaultMaxTrialBoots);
        loader.BeginBoot();
        updater = new OtaUpdater(state, slotA, slotB, loader, mac, "node-1", "g", OtaVersion.Pack(1, 0, 0));
        updater.Mount();
        rows.Add(("boot: loader + mount mid-download", il() - t, "every wake while downloading"));
        for (int c = chunks.Count / 2; c < chunks.Count; c++)
        {
            updater.OfferChunk(chunks[c], chunks[c].Length);
        }

        t = il();
        ok = updater.VerifyAndSwitch();
        rows.Add(("verify 120 KB from flash + switch", il() - t, ok ? "once per update" : "FAILED " + updater.Status.LastFailure));

        var fe = new FieldMul25519();
        var a = new uint[8];
        var b = new uint[8];
        var r = new uint[8];
        for (int i = 0; i < 8; i++)
        {
            a[i] = (uint)rnd.Next() * 2654435761u;
            b[i] = (uint)rnd.Next() * 2246822519u;
        }

        t = il();
        for (int i = 0; i < 1000; i++)
        {
            fe.Multiply(a, b, r);
            fe.Multiply(r, b, a);
        }

        double mul = (il() - t) / 2000.0;
        rows.Add(("GF(2^255-19) multiply, 8 × 32-bit limbs", mul, "measured"));
        rows.Add(("Ed25519 verify (estimate)", mul * Ed25519FieldMultiplications, $"{Ed25519FieldMultiplications} multiplications, lower bound"));
        rows.Add(("ECDSA P-256 verify (estimate)", mul * EcdsaP256FieldMultiplications, $"{EcdsaP256FieldMultiplications} multiplications, lower bound"));

        var o = new StringWriter(CultureInfo.InvariantCulture);
        o.WriteLine($"OTA device cost: IL executed by CityNode.Core (instrumented); time at {ilPerSecond / 1e6:0.#} M IL/s (range {IlMeter.SlowIlPerSecond / 1e6:0.#}–{IlMeter.FastIlPerSecond / 1e6:0.#})");
        o.WriteLine($"{"step",-50} {"IL",14} {"ms @1.5M",10} {"ms range",18}  note");
        foreach (var (name, count, note) in rows)
        {
            o.WriteLine($"{name,-50} {count,14:N0} {count / ilPerSecond * 1000,10:N1} {count / IlMeter.FastIlPerSecond * 1000,8:N1}–{count / IlMeter.SlowIlPerSecond * 1000,-9:N1}  {note}");
        }

        o.Write(LoaderBootCost.Report(ilPerSecond));
        return o.ToString();
    }

    /// <summary>The IL one update of a release of <see cref="Kb"/> KB costs a node (one file, chunks of <see cref="Release.ChunkSize"/>), for <c>energy --ota-kb</c>.</summary>
    public sealed record UpdateIl(int Kb, int Chunks, long WireBytes, long ManifestIl, long ChunksIl, long VerifyIl);

    /// <summary>Entry in the instrumented context for <see cref="MeasureUpdate"/>: the KB in, the <see cref="UpdateIl"/> out as JSON.</summary>
    public static string UpdateJson(string kb) => System.Text.Json.JsonSerializer.Serialize(MeasureUpdate(int.Parse(kb, CultureInfo.InvariantCulture)));

    /// <summary>
    /// Takes a release of <paramref name="kb"/> KB as a node does — manifest, every chunk (hash,
    /// erase, program, mark), then the verify from flash and the switch — counting the IL of each
    /// part (in the instrumented context only). Wire bytes: the chunk messages and the manifest.
    /// </summary>
    public static UpdateIl MeasureUpdate(int kb)
    {
        var il = IlMeter.Executed ?? throw new InvalidOperationException("ota-cost: CityNode.Core is not instrumented");
        var bytes = new byte[kb * 1024];
        new Random(kb).NextBytes(bytes);
        var key = RandomNumberGenerator.GetBytes(32);
        var release = Release.Create([new ReleaseFile("CityNode.App.pe", bytes)], OtaVersion.Pack(1, 1, 0), 2, OtaVersion.Pack(1, 0, 0));
        byte[] manifest = release.Manifest(OtaManifest.TargetNode, "1", key);
        var buffer = new SectorBuffer(4096);
        var state = new SectorFileFlash(new MemorySectors(), OtaUpdater.StateSectorSize, OtaUpdater.StateSectors, buffer);
        var slotA = new SectorFileFlash(new MemorySectors(), OtaUpdater.SlotSectorSize, OtaManifest.MaxChunks, buffer);
        var slotB = new SectorFileFlash(new MemorySectors(), OtaUpdater.SlotSectorSize, OtaManifest.MaxChunks, buffer);
        var loader = new SlotLoader(new BootRecord(state, 0), SlotLoader.DefaultMaxTrialBoots);
        loader.BeginBoot();
        var updater = new OtaUpdater(state, slotA, slotB, loader, new HmacSha256(key), "1", "g", OtaVersion.Pack(1, 0, 0));
        updater.Mount();
        long t = il();
        if (updater.OfferManifest(manifest, manifest.Length) != OtaReply.Accepted)
        {
            throw new InvalidOperationException("ota-cost: the manifest was refused: " + updater.Status.LastFailure);
        }

        long manifestIl = il() - t;
        long wire = manifest.Length;
        t = il();
        for (int c = 0; c < release.ChunkCount; c++)
        {
            byte[] chunk = release.Chunk(c);
            wire += chunk.Length;
            updater.OfferChunk(chunk, chunk.Length);
        }

        long chunksIl = il() - t;
        t = il();
        if (!updater.VerifyAndSwitch())
        {
            throw new InvalidOperationException("ota-cost: the verify failed: " + updater.Status.LastFailure);
        }

        return new UpdateIl(kb, release.ChunkCount, wire, manifestIl, chunksIl, il() - t);
    }

    /// <summary>Whole sectors in memory: what littlefs files are to the glue's LittleFsSectors.</summary>
    private sealed class MemorySectors : ISectorStore
    {
        private readonly Dictionary<int, byte[]> _sectors = new();

        public int Load(int sector, byte[] into)
        {
            if (!_sectors.TryGetValue(sector, out var s))
            {
                return 0;
            }

            s.CopyTo(into, 0);
            return 1;
        }

        public bool Save(int sector, byte[] from)
        {
            _sectors[sector] = (byte[])from.Clone();
            return true;
        }
    }
}
