using System.IO;
using System.Threading;
using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Esp32.Glue;
using CityNode.Hal;
using CityNode.Node;
using CityNode.Sensors;

namespace CityNode.Esp32
{
    /// <summary>
    /// The ESP32 program: reads the config and board files from the internal drive, then hands the
    /// portable NodeAssembly and NodeLoop the nanoFramework implementations. The host simulation
    /// builds the same runtime with NodeAssembly and simulated parts: only these implementations differ.
    /// </summary>
    public static class NodeProgram
    {
        private const string Drive = "I:\\";

        public static void Main()
        {
            NodeConfig config;
            BoardProfile board;
            if (!NodeFiles.Parse(File.ReadAllText(Drive + "citynode.conf"), File.ReadAllText(Drive + "board.conf"), out config, out board))
            {
                Thread.Sleep(Timeout.Infinite); // the error is on the serial console; nothing to run
            }

            EspClock clock = new EspClock();
            EspBuses buses = new EspBuses(board, clock);
            NodeAssembly node = new NodeAssembly(new LittleFsSectors(Drive + "cn\\"), config, board.JournalKilobytes);
            Sampler sampler = new Sampler(SensorFactory.Create(node.Config, buses), clock);
            if (config.Bench)
            {
                BenchCheck.Run(sampler, clock, 5000, 0); // docs/field-guide.md: live readings, nothing sent
            }

            EspPlatform platform = new EspPlatform(buses, board);
            NodeRuntime runtime = node.Build(sampler, clock, platform, new EspUplink(config), board.Power);
            new NodeLoop(runtime, platform, node.Crashes, clock).Run(platform.ResetCause == ResetCause.DeepSleepWake ? board.Power.BootMs : 0);
        }
    }
}
