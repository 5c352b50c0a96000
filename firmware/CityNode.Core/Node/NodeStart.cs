using System;
using CityNode.Config;
using CityNode.Hal;
using CityNode.Ota;
using CityNode.Power;
using CityNode.Sensors;

namespace CityNode.Node
{
    /// <summary>
    /// A device program's start, the same sequence on every platform: read citynode.conf and board.conf,
    /// build the node from them, make sure the clock is set, run the loop. When a step fails the console
    /// says why and the node sleeps to try again (a technician fixes the file meanwhile) — deep sleep,
    /// not an awake wait: the node may be on a battery. The platform's program supplies its parts.
    /// </summary>
    public abstract class NodeStart : INodeParts
    {
        public const int RetryMs = 10 * 60 * 1000;

        /// <param name="drive">Where the node's files are (the ESP32's internal littlefs drive, I:\).</param>
        /// <param name="loaderVersion">The loader that started the application, or 0 for the deployed image itself (no updates).</param>
        protected NodeStart(string drive, uint loaderVersion)
        {
            Drive = drive;
            LoaderVersion = loaderVersion;
        }

        /// <summary>The version of the loader that loaded this application (firmware/CityNode.Loader), 0 when it is the deployed image.</summary>
        public uint LoaderVersion { get; private set; }

        /// <summary>The folder of citynode.conf, board.conf and the flash regions.</summary>
        public string Drive { get; private set; }

        public NodeConfig Config { get; private set; }

        public BoardProfile Board { get; private set; }

        public NodeAssembly Node { get; private set; }

        public Sampler Sampler { get; private set; }

        public NodeRuntime Runtime { get; private set; }

        public IClock Clock { get; protected set; }

        public INodePlatform Platform { get; protected set; }

        public ISleeper Sleeper { get; protected set; }

        public IUplink Uplink { get; protected set; }

        public PowerProfile Power { get { return Board.Power; } }

        public void Run()
        {
            if (!Assemble())
            {
                Console.WriteLine("node: not started; deep sleep for " + (RetryMs / 60000).ToString() + " min, then trying again (a file fixed with nanoff --filedeployment meanwhile is read then)");
                SleepAndRetry(RetryMs);
                return; // not reached on the chip
            }

            WakeSleepDriver driver = new WakeSleepDriver(Node, Sampler, Uplink, Runtime, this);
            new NodeLoop(driver, Sleeper, Clock).Run(WakeSleepDriver.BootMsAfter(Platform.ResetCause, Board.Power));
        }

        /// <summary>Builds the node from the two files; false (with a console line saying why) when it cannot run.</summary>
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
            CreateParts(config, board);
            NodeOptions options = new NodeOptions(board.JournalKilobytes);
            options.OtaSlotSectors = NodeAssembly.OtaSlotSectorsFor(board.FlashMegabytes);
            options.LoaderVersion = LoaderVersion;
            byte[] key = LoaderVersion == 0 ? null : ReadOtaKey();
            options.OtaMac = key == null ? null : CreateMac(key);
            Node = new NodeAssembly(Flash(), config, options);
            try
            {
                Sampler = CreateSampler(Node.Config);
            }
            catch (ConfigException e)
            {
                Console.WriteLine("citynode.conf: " + e.Message); // a sensor line the node cannot build
                return false;
            }

            if (config.Bench)
            {
                BenchCheck.Run(Sampler, Clock, 5000, 0); // docs/field-guide.md: live readings, nothing sent
            }

            // Samples need true time: after a power loss the RTC must be set before the first one.
            if (Clock.UnixSeconds == 0 && !SetClock())
            {
                return false;
            }

            Runtime = Node.Build(Sampler, Clock, Platform, Uplink, board.Power);
            return true;
        }

        public Sampler CreateSampler(NodeConfig config)
        {
            return new Sampler(CreateSensors(config), Clock);
        }

        public IUplink CreateUplink(NodeConfig config)
        {
            return Uplink; // created with the platform's parts; a reset starts Main again
        }

        /// <summary>Not reached on the chip: a deep sleep or reboot does not return, the reset runs Main again.</summary>
        public void Reset(ResetCause cause, int bootMs)
        {
        }

        /// <summary>The node's OTA key (<see cref="NodeFiles.OtaKey"/>, 64 hex digits), or null: without one the node takes no update.</summary>
        private byte[] ReadOtaKey()
        {
            string text;
            try
            {
                text = ReadAllText(Drive + NodeFiles.OtaKey);
            }
            catch (Exception)
            {
                return null; // not provisioned for updates
            }

            text = text.Trim();
            byte[] key = new byte[32];
            for (int i = 0; text.Length == 64 && i < 64; i++)
            {
                int v = HexDigit(text[i]);
                if (v < 0)
                {
                    break;
                }

                key[i / 2] = (byte)((key[i / 2] << 4) | v);
                if (i == 63)
                {
                    return key;
                }
            }

            Console.WriteLine(NodeFiles.OtaKey + ": not 64 hex digits; the node takes no update until citynode provision writes it again");
            return null;
        }

        private static int HexDigit(char c)
        {
            return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        }

        /// <summary>A file of the node's drive, or null after a console line saying why it cannot be read.</summary>
        private string ReadFile(string name)
        {
            try
            {
                return ReadAllText(Drive + name);
            }
            catch (Exception e)
            {
                Console.WriteLine(name + ": cannot be read from " + Drive + " (" + e.Message + "); deploy it with nanoff --filedeployment (docs/field-guide.md)");
                return null;
            }
        }

        /// <summary>A file's text; throws when it cannot be read.</summary>
        protected abstract string ReadAllText(string path);

        /// <summary>Creates the platform's clock, platform, sleeper and uplink for the config and board.</summary>
        protected abstract void CreateParts(NodeConfig config, BoardProfile board);

        /// <summary>The sensors the config names (the drivers' registry on the platform's buses); throws ConfigException for a line it cannot build.</summary>
        protected abstract ISensor[] CreateSensors(NodeConfig config);

        protected abstract IFlashProvider Flash();

        /// <summary>HMAC-SHA256 under the node's OTA key: the platform's native one where it has one (<see cref="OneShotHmac"/>), else the managed <see cref="HmacSha256"/>.</summary>
        protected virtual IHash256 CreateMac(byte[] key)
        {
            return new HmacSha256(key);
        }

        /// <summary>Sets the clock from the network; false (after a console line) when the node must sleep and try again.</summary>
        protected abstract bool SetClock();

        protected abstract void SleepAndRetry(int ms);
    }
}
