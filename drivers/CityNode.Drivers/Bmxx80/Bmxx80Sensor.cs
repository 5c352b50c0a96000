using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Bmxx80
{
    /// <summary>
    /// BME280 (temperature, humidity, pressure) or BME680 (plus gas resistance) as a CityNode sensor,
    /// read in forced mode: one conversion per sample, then the chip sleeps at 0.1 µA (datasheet
    /// BME280 §3.3.2). Stage 0: other sensors compensate with its temperature and pressure.
    /// </summary>
    public sealed class Bmxx80Sensor : ISensor
    {
        // Chip id register (BME280 datasheet §5.4.1: 0x60; BME680 §5.3.3.5: 0x61).
        private const byte ChipIdRegister = 0xD0;

        private readonly GuardedBmxx80Port _port;
        private readonly II2cBus _bus;
        private readonly int _address;
        private readonly byte[] _id = new byte[1];
        private readonly ChannelSpec[] _channels;
        private readonly long[] _values;
        private bool _valid;

        public Bmxx80Sensor(IBmxx80Port port)
            : this(port, null, 0)
        {
        }

        /// <param name="bus">The chip's bus, to check its id around each measurement: nanoFramework's
        /// Bmxx80 binding ignores I2C transfer results, so a chip that left the bus reads as zeros
        /// (≈ −140 °C) unless someone asks. Null = trust the port.</param>
        public Bmxx80Sensor(IBmxx80Port port, II2cBus bus, int address)
            : this(new GuardedBmxx80Port(port), bus, address)
        {
        }

        public Bmxx80Sensor(GuardedBmxx80Port port, II2cBus bus, int address)
        {
            _port = port;
            _bus = bus;
            _address = address;
            // The channels are the descriptor's (Bmxx80Descriptors.cs): one table for driver, factory and energy model.
            _channels = port.HasGas ? Bme680Descriptor.Table : Bme280Descriptor.Table;
            int n = _channels.Length;
            _values = new long[n];
        }

        public string Name { get { return _port.HasGas ? "bme680" : "bme280"; } }

        public int ChannelCount { get { return _channels.Length; } }

        public int WarmupMs { get { return 0; } }

        public int Stage { get { return 0; } }

        public ChannelSpec Channel(int index)
        {
            return _channels[index];
        }

        public FetchResult Setup()
        {
            _valid = false;
            return _port.Open() ? FetchResult.Ok : FetchResult.NotPresent;
        }

        public void Wake()
        {
        }

        public FetchResult Trigger(SampleFrame frame, out int waitMs)
        {
            _valid = false;
            waitMs = 0;
            return ChipAnswers() ? _port.StartMeasurement(out waitMs) : FetchResult.Nack;
        }

        public FetchResult Fetch()
        {
            _valid = false;
            if (_port.IsMeasuring())
            {
                return FetchResult.Timeout;
            }

            long t;
            long h;
            long p;
            long g;
            if (!_port.Read(out t, out h, out p, out g) || !ChipAnswers())
            {
                return FetchResult.Nack; // checked after the read too: a chip that left during it gave zeros
            }

            // Physical limits of the part (datasheet §1: −40..85 °C, 0..100 %RH, 300..1100 hPa).
            if (t < -40000000 || t > 85000000 || h < 0 || h > 100000000 || p < 30000000000L || p > 110000000000L)
            {
                return FetchResult.OutOfRange;
            }

            _values[0] = t;
            _values[1] = h;
            _values[2] = p;
            if (_values.Length > 3)
            {
                _values[3] = g;
            }

            _valid = true;
            return FetchResult.Ok;
        }

        public bool TryGet(int channel, out long micro)
        {
            micro = _valid ? _values[channel] : 0;
            return _valid;
        }

        public void Sleep()
        {
            // Forced mode returns to sleep by itself after each conversion.
        }

        private bool ChipAnswers()
        {
            if (_bus == null)
            {
                return true;
            }

            _id[0] = ChipIdRegister;
            if (_bus.Write(_address, _id, 0, 1) != I2cStatus.Ok)
            {
                return false;
            }

            _id[0] = 0;
            return _bus.Read(_address, _id, 0, 1) == I2cStatus.Ok && _id[0] == (_port.HasGas ? 0x61 : 0x60);
        }

        public void Reset()
        {
            _valid = false;
            _port.Close();
            _port.Open();
        }
    }
}
