using CityNode.Hal;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;

namespace CityNode.Node
{
    /// <summary>
    /// The implementations a node runs on, put together by <see cref="NodeAssembly"/> only (the ESP32
    /// program and every host harness, with the platform's parts from <see cref="INodeParts"/>) and
    /// handed to <see cref="NodeRuntime"/>.
    /// </summary>
    public sealed class NodeServices
    {
        public IClock Clock { get; set; }

        public INodePlatform Platform { get; set; }

        public IUplink Uplink { get; set; }

        /// <summary>Sealed batches awaiting PUBACK: a <see cref="CityNode.Storage.FlashJournal"/> on the device, or a RAM store.</summary>
        public IBatchStore Store { get; set; }

        /// <summary>Unsealed samples and the schedule, in flash, so the ring survives deep sleep and power loss; null = RAM only.</summary>
        public CityNode.Storage.SampleStaging Staging { get; set; }

        public Sampler Sampler { get; set; }

        /// <summary>The config file as provisioned, before any remote document (null: the runtime's config is it).</summary>
        public CityNode.Config.NodeConfig ProvisionedConfig { get; set; }

        /// <summary>Crashes soon after boot, in flash: three in a row start safe mode; null = no safe mode.</summary>
        public CityNode.Storage.CrashCounter CrashCounter { get; set; }

        /// <summary>Where a remote configuration is persisted (two flash sectors, A/B); null = not persisted.</summary>
        public CityNode.Storage.ConfigStore ConfigStore { get; set; }

        public PowerProfile Power { get; set; }

        /// <summary>Bytes of RAM for samples not yet sealed.</summary>
        public int RingBytes { get; set; }

        /// <summary>Largest payload the node will build.</summary>
        public int MaxPayloadBytes { get; set; }

        /// <summary>The loader's boot record and decisions (a trial confirms through it); null = no updates.</summary>
        public CityNode.Ota.SlotLoader Loader { get; set; }

        /// <summary>The update download (docs/ota.md); null = the node takes no update.</summary>
        public CityNode.Ota.OtaUpdater Updater { get; set; }
    }
}
