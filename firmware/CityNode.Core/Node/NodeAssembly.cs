using CityNode.Config;
using CityNode.Delivery;
using CityNode.Hal;
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
        public const int JournalSectorSize = 4096;
        public const int StagingSectors = 4;

        private readonly IFlashProvider _flash;
        private readonly int _journalSectors;

        public NodeAssembly(IFlashProvider flash, NodeConfig provisioned, int journalKilobytes)
        {
            _flash = flash;
            _journalSectors = journalKilobytes * 1024 / JournalSectorSize;
            Provisioned = provisioned;
            Crashes = new CrashCounter(flash.Open("crash", 256, 1));
            ConfigStore = new ConfigStore(flash.Open("config", 2048, 2));
            Config = RemoteConfig.Effective(provisioned, ConfigStore);
        }

        public NodeConfig Provisioned { get; private set; }

        /// <summary>What the node runs with: the provisioned config with the persisted remote document over it.</summary>
        public NodeConfig Config { get; private set; }

        public ConfigStore ConfigStore { get; private set; }

        public CrashCounter Crashes { get; private set; }

        /// <summary>The batch store of the last <see cref="Build"/> (journal with its RAM fallback).</summary>
        public IBatchStore Store { get; private set; }

        public NodeRuntime Build(Sampler sampler, IClock clock, INodePlatform platform, IUplink uplink, PowerProfile power)
        {
            NodeServices s = new NodeServices();
            s.Clock = clock;
            s.Platform = platform;
            s.Uplink = uplink;
            s.Store = Store = new FallbackBatchStore(new FlashJournal(_flash.Open("journal", JournalSectorSize, _journalSectors), 1), new RamBatchStore(8192, 1));
            s.Staging = new SampleStaging(_flash.Open("staging", JournalSectorSize, StagingSectors), sampler.ChannelCount, Config.Batch + 8);
            s.Sampler = sampler;
            s.ConfigStore = ConfigStore;
            s.ProvisionedConfig = Provisioned;
            s.CrashCounter = Crashes;
            s.Power = power;
            s.RingBytes = 16 * 1024;
            s.MaxPayloadBytes = BatchEncoder.WorstCaseSize(Config.Batch, sampler.ChannelCount);
            return new NodeRuntime(Config, s);
        }
    }
}
