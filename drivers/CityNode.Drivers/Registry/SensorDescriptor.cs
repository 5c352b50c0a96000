using CityNode.Config;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// Everything CityNode knows about one kind of sensor, in the sensor's own folder: its config name,
    /// where it is attached (bus, default placement, the addresses the chip can answer on), its
    /// channels, warm-up, what it draws per sample (datasheet figures, cited where they are set), the
    /// channels it compensates with, the calibration key it reads, and how its driver is built.
    /// <see cref="SensorCatalog.All"/> lists them; the factory, the wiring rules, the energy model and
    /// the host's simulated hardware all read them, so adding a sensor is its folder and one line there.
    /// </summary>
    public abstract class SensorDescriptor
    {
        private static readonly int[] NoChannels = new int[0];
        private readonly ChannelSpec[] _channels;

        /// <param name="name">The name in <c>sensor.NAME</c> lines and the <c>sensors</c> list.</param>
        /// <param name="defaultPlacement">Where the sensor usually sits (a config value: <c>i2c:0x76</c>, <c>uart:COM2</c>, <c>adc:4,divider=2/1</c>); its bus is the sensor's bus.</param>
        /// <param name="channels">The channels the driver reports, in its order (the driver reads the same table).</param>
        protected SensorDescriptor(string name, string defaultPlacement, ChannelSpec[] channels)
        {
            Name = name;
            DefaultPlacement = defaultPlacement;
            string bus = defaultPlacement.Substring(0, defaultPlacement.IndexOf(':'));
            Bus = bus.Length >= 3 && bus.Substring(0, 3) == "i2c" ? "i2c" : bus;
            _channels = channels;
            CompensatedBy = NoChannels;
        }

        public string Name { get; private set; }

        /// <summary>"i2c", "uart" or "adc": the interface as CityNode drives the part.</summary>
        public string Bus { get; private set; }

        public string DefaultPlacement { get; private set; }

        public int ChannelCount
        {
            get { return _channels.Length; }
        }

        /// <summary>The channel's id, unit and resolution, as the driver reports it.</summary>
        public ChannelSpec Channel(int index)
        {
            return _channels[index];
        }

        /// <summary>Milliseconds from waking the sensor to a reading worth keeping (fan spin-up), as the driver waits.</summary>
        public int WarmupMs { get; protected set; }

        /// <summary>Microamps the sensor draws while it is powered for a sample (datasheet, cited by the descriptor).</summary>
        public int Microamps { get; protected set; }

        /// <summary>Milliseconds the sensor is powered per sample: warm-up plus the conversion(s).</summary>
        public int OnMilliseconds { get; protected set; }

        /// <summary>Charge per sample, µA·ms.</summary>
        public long ChargePerSample
        {
            get { return (long)Microamps * OnMilliseconds; }
        }

        /// <summary>Channel ids the driver compensates its readings with when the same sample has them (pressure for NDIR CO2, water temperature for pH …); empty when none.</summary>
        public int[] CompensatedBy { get; protected set; }

        /// <summary>The <c>calibration.KEY</c> the driver reads, or null.</summary>
        public string CalibrationKey { get; protected set; }

        /// <summary>I2C addresses the part can answer on (datasheet), or null for any (set by command).</summary>
        protected int[] Addresses { get; set; }

        /// <summary>How the address is chosen, for the refusal when there are several (<c>0x76 (SDO to GND) or 0x77 (SDO to VDDIO)</c>).</summary>
        protected string AddressNote { get; set; }

        /// <summary>Null when the chip can answer on <paramref name="address"/>, otherwise why not.</summary>
        public string AddressProblem(int address)
        {
            if (Addresses == null)
            {
                return null;
            }

            for (int i = 0; i < Addresses.Length; i++)
            {
                if (Addresses[i] == address)
                {
                    return null;
                }
            }

            return Addresses.Length == 1
                ? Hex(address) + " is not the " + Name + " address: it is fixed at " + Hex(Addresses[0])
                : Hex(address) + " is not a " + Name + " address: " + AddressNote;
        }

        /// <summary>True when one of the channels is <paramref name="channelId"/>.</summary>
        public bool Reports(int channelId)
        {
            for (int i = 0; i < _channels.Length; i++)
            {
                if (_channels[i].Id == channelId)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Builds the driver at a placement the wiring rules accepted (<see cref="SensorWiring.Check"/>).
        /// Runs at boot; it allocates. Refuses bad calibration with a <see cref="ConfigException"/>.
        /// </summary>
        /// <param name="line">The <c>sensor.NAME</c> line, for a refusal that has no line of its own.</param>
        public abstract ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line);

        /// <summary><c>calibration.NAME</c> as a positive number in micro-units, or <paramref name="fallback"/> when absent.</summary>
        protected static long PositiveCalibration(NodeConfig config, string name, long fallback)
        {
            string text = config.Calibration(name);
            if (text == null)
            {
                return fallback;
            }

            long v;
            if (!ValueParser.TryMicro(text, out v) || v <= 0)
            {
                int at = config.Document.Find("calibration." + name);
                throw new ConfigException(at >= 0 ? config.Document.Line(at) : 0, "calibration." + name, "'" + text + "' is not a positive number");
            }

            return v;
        }

        internal static string Hex(int address)
        {
            return "0x" + address.ToString("X2");
        }
    }
}
