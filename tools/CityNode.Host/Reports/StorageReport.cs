using System.Text.Json.Serialization;
using CityNode.Buffering;
using CityNode.Config;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;

namespace CityNode.Host.Reports;

/// <summary>
/// <c>citynode storage-report</c>: what the node's buffers hold at the reference workload (8
/// channels, one sample a minute, real recordings), measured by running the real ring, journal
/// and runtime on simulated flash.
/// </summary>
public sealed class StorageReport
{
    [JsonPropertyName("ring_bytes_24h")] public int RingBytes24h { get; init; }

    [JsonPropertyName("ring_bytes_per_reading")] public double RingBytesPerReading { get; init; }

    [JsonPropertyName("ring_bytes_24h_bound")] public int RingBytesBound { get; init; }

    [JsonPropertyName("ring_limit_bytes")] public int RingLimit { get; init; } = 16 * 1024;

    [JsonPropertyName("journal_bytes")] public int JournalBytes { get; init; }

    [JsonPropertyName("journal_offline_days")] public double JournalOfflineDays { get; init; }

    [JsonPropertyName("journal_bytes_per_day_offline")] public double JournalBytesPerDay { get; init; }

    [JsonPropertyName("journal_max_erases_per_sector_per_day")] public double JournalErasesPerSectorPerDay { get; init; }

    [JsonPropertyName("staging_max_erases_per_sector_per_day")] public double StagingErasesPerSectorPerDay { get; init; }

    [JsonPropertyName("staging_bytes")] public int StagingBytes { get; init; }

    [JsonPropertyName("years_to_100k_erases")] public double YearsTo100kErases { get; init; }

    public const int Channels = 8;
    public const int SamplesPerDay = 1440;

    /// <summary>Long enough for the 1 MB journal to go round more than once.</summary>
    public const int WearDays = 90;

    public static StorageReport Run(string dataFolder, int journalKb = 1024, Action<string>? progress = null)
    {
        const long start = 1_538_352_000; // 2018-10-01, the first day of the air recording
        progress?.Invoke("ring: 24 h of the reference workload");
        var (ringBytes, perReading) = RingDay(dataFolder, start);
        int bound = RingBound();

        progress?.Invoke($"journal: offline until the {journalKb} KB journal is full");
        var offline = Runtime(dataFolder, start, journalKb, online: false);
        int hours = 0;
        while (offline.Journal.DroppedBatches == 0 && hours < 400 * 24)
        {
            offline.Run(TimeSpan.FromHours(1));
            if (++hours % 24 == 0)
            {
                progress?.Invoke($"journal: {hours / 24} day(s) offline, {offline.Journal.PendingCount} batches held");
            }
        }

        double days = (hours - 1) / 24.0;
        progress?.Invoke($"wear: {WearDays} days online, one publish every 15 minutes");
        var online = Runtime(dataFolder, start, journalKb, online: true);
        online.Run(TimeSpan.FromDays(WearDays));
        double journalWear = (double)online.JournalFlash.EraseCounts.Max() / WearDays;
        double stagingWear = (double)online.StagingFlash.EraseCounts.Max() / WearDays;
        return new StorageReport
        {
            RingBytes24h = ringBytes,
            RingBytesPerReading = Math.Round(perReading, 3),
            RingBytesBound = bound,
            JournalBytes = journalKb * 1024,
            JournalOfflineDays = Math.Round(days, 1),
            JournalBytesPerDay = Math.Round(journalKb * 1024 / Math.Max(days, 0.01)),
            JournalErasesPerSectorPerDay = Math.Round(journalWear, 3),
            StagingErasesPerSectorPerDay = Math.Round(stagingWear, 3),
            StagingBytes = NodeAssembly.StagingSectorSize * NodeAssembly.StagingSectors,
            YearsTo100kErases = Math.Round(100_000 / Math.Max(journalWear, stagingWear) / 365, 1),
        };
    }

    /// <summary>The ring's bytes after 24 h of the reference workload.</summary>
    private static (int Bytes, double PerReading) RingDay(string dataFolder, long start)
    {
        var clock = new VirtualClock(start);
        var sensor = new RecordedSensor(() => clock.UnixSeconds, ReferenceWorkload.Channels(dataFolder, start));
        var sampler = new Sampler(new ISensor[] { sensor }, clock);
        sampler.Setup();
        var ring = new SampleRing(1 << 20, Channels);
        var frame = new SampleFrame(Channels);
        for (int i = 0; i < SamplesPerDay; i++)
        {
            sampler.Sample(frame, clock.UnixSeconds);
            ring.Append(frame);
            clock.Advance(60_000);
        }

        int bytes = ring.BytesUsed + (Channels * 4) + 16; // records + the decoded tail sample
        return (bytes, (double)bytes / (SamplesPerDay * Channels));
    }

    /// <summary>
    /// The ring's bytes for 24 h when every channel moves by up to ±31 steps a minute (a random walk
    /// at that bound) with ±2 s timestamp jitter: a change of up to ±31 costs one byte per reading.
    /// </summary>
    private static int RingBound()
    {
        var rnd = new Random(1);
        var ring = new SampleRing(1 << 20, Channels);
        var frame = new SampleFrame(Channels) { ChannelCount = Channels };
        long t = 1_700_000_000;
        for (int i = 0; i < SamplesPerDay; i++)
        {
            t += 60 + rnd.Next(-2, 3);
            frame.Time = t;
            for (int c = 0; c < Channels; c++)
            {
                frame.Values[c] += rnd.Next(-31, 32);
            }

            ring.Append(frame);
        }

        return ring.BytesUsed + (Channels * 4) + 16;
    }

    /// <summary>A node as the device builds it (NodeAssembly) on simulated flash, stepped by the device's wake/sleep driver.</summary>
    private sealed class Rig
    {
        public required VirtualBoard Board;
        public required WakeSleepDriver Node;
        public required SimFlashProvider Flash;

        public FlashJournal Journal => Node.Assembly.Journal;

        public SimFlash JournalFlash => Flash["journal"];

        public SimFlash StagingFlash => Flash["staging"];

        public void Run(TimeSpan span)
        {
            long until = Board.Clock.MonotonicMs + (long)span.TotalMilliseconds;
            while (Board.Clock.MonotonicMs < until)
            {
                Node.Step(Board);
            }
        }
    }

    private static Rig Runtime(string dataFolder, long start, int journalKb, bool online)
    {
        var clock = new VirtualClock(start);
        var sensor = new RecordedSensor(() => clock.UnixSeconds, ReferenceWorkload.Channels(dataFolder, start));
        var config = NodeConfig.Parse("node.id = 1\nsample = 60s\npublish = 15m\nbatch = 64\nsleep = light");
        IUplink uplink = online ? new LoopbackUplink() : new OfflineUplink(clock);
        var board = new VirtualBoard(clock, new SimPlatform(), new PowerProfile(), _ => new Sampler(new ISensor[] { sensor }, clock), _ => uplink);
        var flash = new SimFlashProvider(0);
        var node = board.Assemble(new NodeAssembly(flash, config, journalKb));
        node.Boot(0);
        return new Rig { Board = board, Node = node, Flash = flash };
    }
}
