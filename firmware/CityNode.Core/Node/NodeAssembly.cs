using CityNode.Buffering;
using CityNode.Config;
using CityNode.Hal;
using CityNode.Ota;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;

namespace CityNode.Node
{
    /// <summary>
    /// Puts a node together from its provisioned config, its board's power constants and its flash
    /// regions, the same way on the ESP32 and in the host simulation: the remote config over the
    /// provisioned one, a flash journal with a RAM fallback, the staging log, the crash counter.
    /// Two steps, because the sensors to build depend on the effective config.
    /// </summary>
    public sealed class NodeAssembly
    {
        public const int JournalSectorSize = SectorBuffer.BlockSize;
        /// <summary>
        /// The staging log: 32 sectors of 512 B (16 KB). A sector that small is a littlefs inline file,
        /// so staging a sample commits its sector's programmed bytes into the folder's metadata instead
        /// of rewriting a 4 KB block (docs/reliability.md, staging). 32 × 496 B holds the unsealed samples
        /// of a 64-sample batch with a runtime record per sample (300 s deep-sleep cycles: ~170 B each).
        /// </summary>
        public const int StagingSectorSize = 512;
        public const int StagingSectors = 32;

        /// <summary>The journal's mount hint: one small sector (an inline file on littlefs, written in the directory's metadata).</summary>
        public const int HintSectorSize = 256;

        private readonly IFlashProvider _flash;
        private readonly int _journalSectors;

        /// <summary>The device's node for a board's journal size.</summary>
        public NodeAssembly(IFlashProvider flash, NodeConfig provisioned, int journalKilobytes)
            : this(flash, provisioned, new NodeOptions(journalKilobytes))
        {
        }

        public NodeAssembly(IFlashProvider flash, NodeConfig provisioned, NodeOptions options)
        {
            _flash = flash;
            Options = options;
            _journalSectors = options.JournalKilobytes * 1024 / options.JournalSectorSize;
            Provisioned = provisioned;
            Crashes = new CrashCounter(flash.Open("crash", 256, 1));
            ConfigStore = new ConfigStore(flash.Open("config", 2048, 2));
            Config = RemoteConfig.Effective(provisioned, ConfigStore);
            if (options.OtaSlotSectors > 0 && options.LoaderVersion != 0)
            {
                // Only under the loader (firmware/CityNode.Loader), which counted this boot if it is a trial's
                // before it loaded the application: the record is read, not counted again.
                OtaFlash = OtaRegions.OpenState(flash);
                OtaSlotA = OtaRegions.OpenSlot(flash, 0, options.OtaSlotSectors);
                OtaSlotB = OtaRegions.OpenSlot(flash, 1, options.OtaSlotSectors);
                Loader = new SlotLoader(new BootRecord(OtaFlash, 0), SlotLoader.DefaultMaxTrialBoots);
                Loader.Record.Load();
                if (options.OtaMac != null)
                {
                    Updater = new OtaUpdater(OtaFlash, OtaSlotA, OtaSlotB, Loader, options.OtaMac, provisioned.NodeId.ToString(), Config.NodeGroup, options.LoaderVersion);
                    Updater.Mount();
                }
            }
        }

        /// <summary>
        /// Sectors of 4 KB per application slot for a board's flash: 2 × 256 KB (the manifest's 64-chunk bound)
        /// on the 2 MB internal drive of an 8 MB flash or more; none on 4 MB and less, whose 256 KB drive cannot
        /// hold two copies of the ~83 KB application beside the journal (docs/ota.md, flash layout).
        /// </summary>
        public static int OtaSlotSectorsFor(int flashMegabytes)
        {
            return flashMegabytes >= 8 ? OtaManifest.MaxChunks : 0;
        }

        /// <summary>The A/B boot record as the loader left it (its <see cref="SlotLoader.BeginBoot"/> done by the loader), or null without update regions.</summary>
        public SlotLoader Loader { get; private set; }

        /// <summary>The download side, mounted from flash; null without update regions or without a key.</summary>
        public OtaUpdater Updater { get; private set; }

        public IFlash OtaFlash { get; private set; }

        public IFlash OtaSlotA { get; private set; }

        public IFlash OtaSlotB { get; private set; }

        public NodeOptions Options { get; private set; }

        /// <summary>
        /// The assembly after a reset: RAM is gone, so the crash counter, the persisted remote config
        /// and the config it makes effective are read again from the same flash.
        /// </summary>
        public NodeAssembly AfterReset()
        {
            return new NodeAssembly(_flash, Provisioned, Options);
        }

        public NodeConfig Provisioned { get; private set; }

        /// <summary>What the node runs with: the provisioned config with the persisted remote document over it.</summary>
        public NodeConfig Config { get; private set; }

        public ConfigStore ConfigStore { get; private set; }

        public CrashCounter Crashes { get; private set; }

        /// <summary>The batch store of the last <see cref="Build"/> (journal with its RAM fallback).</summary>
        public FallbackBatchStore Store { get; private set; }

        /// <summary>The flash journal of the last <see cref="Build"/> (inside <see cref="Store"/>).</summary>
        public FlashJournal Journal { get; private set; }

        /// <summary>The staging log of the last <see cref="Build"/>.</summary>
        public SampleStaging Staging { get; private set; }

        /// <summary>Per-batch bookkeeping of the RAM fallback store on top of the payload.</summary>
        public const int RamBatchOverhead = 64;

        /// <summary>
        /// Ring bytes for a batch size: the ring holds the open batch only (a full batch is sealed at
        /// once) and the samples a boot restores from staging (batch + 8), each at its largest
        /// record, so it never drops a sample; at most the former fixed 16 KB.
        /// </summary>
        public static int RingBytesFor(int batch, int channels)
        {
            return Min(16 * 1024, (batch + 8) * SampleRing.MaxRecordBytes(channels));
        }

        /// <summary>The RAM fallback holds one worst-case batch, at most 8 KB (it only serves a node whose flash is dead).</summary>
        public static int RamFallbackBytes(int maxPayload)
        {
            return Min(8192, maxPayload + RamBatchOverhead);
        }

        private static int Min(int a, int b)
        {
            return a < b ? a : b;
        }

        /// <summary>The node of this boot, on the parts its platform gives (the sensors built for <see cref="Config"/>).</summary>
        public NodeRuntime Build(Sampler sampler, IClock clock, INodePlatform platform, IUplink uplink, PowerProfile power)
        {
            NodeServices s = new NodeServices();
            s.Clock = clock;
            s.Platform = platform;
            s.Uplink = uplink;
            int maxPayload = BatchEncoder.WorstCaseSize(Config.Batch, sampler.ChannelCount);

            // Buffers sized from the config, not fixed (docs/device-budget.md): the RAM fallback
            // holds one worst-case batch and is created only when the journal first refuses one (it
            // only serves a node whose flash is dead), the ring the
            // open batch plus the staged samples a boot restores, each at its worst-case record.
            Journal = new FlashJournal(_flash.Open("journal", Options.JournalSectorSize, _journalSectors), 1, _flash.Open("hint", HintSectorSize, 1));
            s.Store = Store = new FallbackBatchStore(Journal, RamFallbackBytes(maxPayload));
            s.Staging = Staging = new SampleStaging(_flash.Open("staging", StagingSectorSize, StagingSectors), sampler.ChannelCount, Config.Batch + 8);
            s.Sampler = sampler;
            s.ConfigStore = ConfigStore;
            s.ProvisionedConfig = Provisioned;
            s.CrashCounter = Crashes;
            s.Power = power;
            s.RingBytes = RingBytesFor(Config.Batch, sampler.ChannelCount);
            s.MaxPayloadBytes = maxPayload;
            s.Loader = Loader;
            s.Updater = Updater;
            return new NodeRuntime(Config, s);
        }
    }
}
