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
    /// The ESP32 program: reads the config and board files from the internal drive, hands the portable
    /// NodeAssembly and NodeLoop the nanoFramework implementations, and runs the node. On the host the
    /// same file runs on the nanoFramework twin (tools/CityNode.DeviceProgram), which reads the parts
    /// below to count what the node did; on the device nobody does.
    /// </summary>
    public sealed class NodeProgram
    {
        private const string Drive = "I:\\";

        // A node that cannot run (no config, a bad line, no clock) sleeps and tries again: the technician
        // fixes the file with nanoff meanwhile. Deep sleep, not an awake wait: it may be on a battery.
        private const int RetryMs = 10 * 60 * 1000;

        public NodeConfig Config { get; private set; }

        public BoardProfile Board { get; private set; }

        public NodeAssembly Node { get; private set; }

        public Sampler Sampler { get; private set; }

        public NodeRuntime Runtime { get; private set; }

        internal EspUplink Uplink { get; private set; }

        internal EspPlatform Platform { get; private set; }

        internal EspClock Clock { get; private set; }

        public static void Main()
        {
            new NodeProgram().Run();
        }

        public void Run()
        {
            if (!Assemble())
            {
                EspPlatform.DeepSleepNow(RetryMs);
                return; // not reached on the chip
            }

            new NodeLoop(Runtime, Platform, Node.Crashes, Clock).Run(Platform.ResetCause == ResetCause.DeepSleepWake ? Board.Power.BootMs : 0);
        }

        /// <summary>Builds the node from I:\citynode.conf and I:\board.conf; false (with a console line saying why) when it cannot run.</summary>
        public bool Assemble()
        {
            NodeConfig config;
            BoardProfile board;
            string configText = ReadFile("citynode.conf");
            string boardText = ReadFile("board.conf");
            if (configText == null || boardText == null || !NodeFiles.Parse(configText, boardText, out config, out board))
            {
                return false;
            }

            Config = config;
            Board = board;
            Clock = new EspClock();
            EspBuses buses = new EspBuses(board, Clock);
            Node = new NodeAssembly(new LittleFsSectors(Drive + "cn\\"), config, board.JournalKilobytes);
            try
            {
                Sampler = new Sampler(SensorFactory.Create(Node.Config, buses), Clock);
            }
            catch (ConfigException e)
            {
                Console.WriteLine("citynode.conf: " + e.Message); // a sensor line the node cannot build
                return false;
            }

            Uplink = new EspUplink(config, Clock);
            Platform = new EspPlatform(buses, board, Uplink);
            if (config.Bench)
            {
                BenchCheck.Run(Sampler, Clock, 5000, 0); // docs/field-guide.md: live readings, nothing sent
            }

            // A power loss resets the RTC: samples need true time, so set it before the first one. The
            // join leaves Wi-Fi started until a reset, and the time survives one: restart with the radio off.
            if (!Clock.IsSet)
            {
                bool set = Uplink.RadioThisBoot && Uplink.SetClock(NodeRuntime.ConnectTimeoutMs);
                Uplink.RadioAtNextBoot(!set); // Wi-Fi comes up only at a reset: on while the time is still to fetch
                Console.WriteLine(set ? "clock: set; restarting with the radio off" : Uplink.RadioThisBoot
                    ? "clock: not set (no network time); sleeping, then trying again" : "clock: not set; restarting with Wi-Fi on to fetch the network time");
                if (set || !Uplink.RadioThisBoot)
                {
                    Platform.Reboot(); // does not return on the chip
                }

                return false;
            }

            Runtime = Node.Build(Sampler, Clock, Platform, Uplink, board.Power);
            return true;
        }

        private static string ReadFile(string name)
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
    }
}
