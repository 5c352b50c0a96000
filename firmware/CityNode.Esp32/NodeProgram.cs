using System;
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
    /// nanoFramework parts. On the host the same file runs on the nanoFramework twin
    /// (tools/CityNode.DeviceProgram), which reads the parts NodeStart exposes to count what the node did.
    /// </summary>
    public sealed class NodeProgram : NodeStart
    {
        private const string Drive = "I:\\";
        private EspBuses _buses;
        private EspUplink _uplink;
        private EspPlatform _platform;

        public static void Main()
        {
            new NodeProgram().Run();
        }

        protected override string ReadFile(string name)
        {
            try
            {
                return File.ReadAllText(Drive + name);
            }
            catch (Exception e)
            {
                Console.WriteLine(name + ": cannot be read from I: (" + e.Message + "); deploy it with nanoff --filedeployment (docs/field-guide.md)");
                return null;
            }
        }

        protected override void CreateParts(NodeConfig config, BoardProfile board)
        {
            EspClock clock = new EspClock();
            _buses = new EspBuses(board, clock);
            _uplink = new EspUplink(config, clock);
            _platform = new EspPlatform(_buses, board, _uplink);
            Clock = clock;
            Platform = _platform;
            Sleeper = _platform;
            Uplink = _uplink;
        }

        protected override ISensor[] CreateSensors(NodeConfig config) => SensorFactory.Create(config, _buses);

        protected override IFlashProvider Flash() => new LittleFsSectors(Drive + "cn\\");

        // Wi-Fi comes up only at a reset (the saved options) and stays until the next: fetch the time in a
        // boot with the radio, then restart with it off (the RTC keeps the time over a reset).
        protected override bool SetClock()
        {
            bool set = _uplink.RadioThisBoot && _uplink.SetClock(NodeRuntime.ConnectTimeoutMs);
            _uplink.RadioAtNextBoot(!set);
            Console.WriteLine(set ? "clock: set; restarting with the radio off" : _uplink.RadioThisBoot
                ? "clock: not set (no network time); sleeping, then trying again" : "clock: not set; restarting with Wi-Fi on to fetch the network time");
            if (set || !_uplink.RadioThisBoot)
            {
                _platform.Reboot(); // does not return on the chip
            }

            return false;
        }

        protected override void SleepAndRetry(int ms) => EspPlatform.DeepSleepNow(ms);
    }
}
