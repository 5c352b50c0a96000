using System.IO;
using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Esp32.Glue;
using CityNode.Hal;
using CityNode.Node;
using CityNode.Sensors;

namespace CityNode.Esp32
{
    /// <summary>
    /// The ESP32 program: the portable start (NodeStart: files, assembly, clock, loop) with the
    /// nanoFramework parts; deployed as the image itself (Main), or loaded and started by the loader image
    /// (docs/ota.md, two ways to deploy). On the host the same file runs on the nanoFramework twin
    /// (tools/CityNode.DeviceProgram), which reads the parts NodeStart exposes to count what the node did.
    /// </summary>
    public sealed class NodeProgram : NodeStart
    {
        private EspBuses _buses;
        private EspPlatform _platform;

        /// <param name="loaderVersion">
        /// The loader's version when the loader (firmware/CityNode.Loader) loaded this program from the drive and
        /// started it through this constructor and <see cref="NodeStart.Run"/>; 0 when it is the deployed image (Main): no updates.
        /// </param>
        public NodeProgram(uint loaderVersion)
            : base("I:\\", loaderVersion)
        {
        }

        public static void Main() => new NodeProgram(0).Run();

        protected override string ReadAllText(string path) => File.ReadAllText(path);

        protected override void CreateParts(NodeConfig config, BoardProfile board)
        {
            EspClock clock = new EspClock();
            EspUplink uplink = new EspUplink(config, clock);
            _buses = new EspBuses(board, clock);
            _platform = new EspPlatform(_buses, board, uplink, clock);
            Clock = clock;
            Platform = _platform;
            Sleeper = _platform;
            Uplink = uplink;
        }

        protected override ISensor[] CreateSensors(NodeConfig config) => SensorFactory.Create(config, _buses);

        protected override IFlashProvider Flash() => LittleFsSectors.On(Drive);

        // nanoFramework.System.Security.Cryptography's native one-shot HMAC (mbedTLS) for the manifest's MAC.
        protected override CityNode.Ota.IHash256 CreateMac(byte[] key) => new CityNode.Ota.KeyedHmac(key, System.Security.Cryptography.HMACSHA256.HashData);

        protected override bool SetClock() => _platform.SetClock(NodeRuntime.ConnectTimeoutMs);

        protected override void SleepAndRetry(int ms) => EspPlatform.DeepSleepFor(ms);
    }
}
