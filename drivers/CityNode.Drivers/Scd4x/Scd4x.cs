using CityNode.Drivers.Common;
using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Scd4x
{
    /// <summary>
    /// Sensirion SCD41 CO2 sensor (I2C 0x62) in single-shot mode, the low-power way to use it
    /// (SCD4x datasheet §3.10): the sensor is powered down between samples; each sample wakes it,
    /// sets the ambient pressure from the BME reading (§3.7.5: NDIR CO2 depends on pressure), runs
    /// measure_single_shot (5 s) and reads the result once get_data_ready_status says so. The first
    /// single shot after waking is discarded, as the datasheet advises. Every word read is
    /// checked against its CRC-8 — a wrong CRC is a fault, never a value (nanoFramework's own
    /// Scd4x binding skips this check). Stage 1: it needs the pressure of stage 0.
    /// </summary>
    public sealed class Scd4x : ISensor
    {
        public const int Address = 0x62;
        public const ushort WakeUp = 0x36F6;
        public const ushort PowerDown = 0x36E0;
        public const ushort MeasureSingleShot = 0x219D;
        public const ushort GetDataReadyStatus = 0xE4B8;
        public const ushort ReadMeasurement = 0xEC05;
        public const ushort StopPeriodicMeasurement = 0x3F86;
        public const ushort GetSerialNumber = 0x3682;
        public const ushort SetAmbientPressure = 0xE000;
        public const ushort SetSensorAltitude = 0x2427;
        public const ushort Reinit = 0x3646;

        public const int SingleShotMs = 5000;
        public const int WakeUpMs = 30;
        public const int StopMs = 500;
        public const int ReinitMs = 30;

        private readonly II2cBus _bus;
        private readonly IClock _clock;
        private readonly int _altitude;
        private readonly ChannelSpec[] _channels;
        private readonly byte[] _tx = new byte[5];
        private readonly byte[] _rx = new byte[9];
        private bool _justWoken;
        private long _co2;
        private bool _valid;

        public Scd4x(II2cBus bus, IClock clock, int altitudeMeters)
        {
            _bus = bus;
            _clock = clock;
            _altitude = altitudeMeters;
            _channels = Scd41Descriptor.Table;
        }

        public string Name { get { return "scd41"; } }

        public int ChannelCount { get { return 1; } }

        public int WarmupMs { get { return 0; } }

        public int Stage { get { return 1; } }

        /// <summary>Words whose CRC did not match, since construction.</summary>
        public int CrcErrors { get; private set; }

        public ChannelSpec Channel(int index)
        {
            return _channels[index];
        }

        /// <summary>Wakes the sensor, stops any periodic mode, reads the serial number (CRC-checked), sets the altitude, powers down.</summary>
        public FetchResult Setup()
        {
            Command(WakeUp);
            _clock.Delay(WakeUpMs);
            if (Command(StopPeriodicMeasurement) != I2cStatus.Ok)
            {
                return FetchResult.NotPresent;
            }

            _clock.Delay(StopMs);
            if (Command(GetSerialNumber) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            _clock.Delay(1);
            if (_bus.Read(Address, _rx, 0, 9) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            if (!CheckWords(3))
            {
                return FetchResult.CrcError;
            }

            if (_altitude != 0)
            {
                CommandWithArgument(SetSensorAltitude, _altitude);
                _clock.Delay(1);
            }

            Command(PowerDown);
            return FetchResult.Ok;
        }

        public void Wake()
        {
            // The sensor does not acknowledge wake_up (§3.10.4): the status is ignored.
            Command(WakeUp);
            _clock.Delay(WakeUpMs);
            _justWoken = true;
        }

        public FetchResult Trigger(SampleFrame frame, out int waitMs)
        {
            _valid = false;
            waitMs = 0;
            long pressure;
            if (frame.TryGetMicro(CityNode.Telemetry.Channels.AirPressure, out pressure))
            {
                // Argument: pressure in Pa / 100 (hPa), 700..1200 hPa.
                int hpa = (int)(pressure / 100000000);
                if (hpa >= 700 && hpa <= 1200 && CommandWithArgument(SetAmbientPressure, hpa) != I2cStatus.Ok)
                {
                    return FetchResult.Nack;
                }

                _clock.Delay(1);
            }

            if (_justWoken)
            {
                // §3.10: discard the first single shot after waking up.
                _justWoken = false;
                if (Command(MeasureSingleShot) != I2cStatus.Ok)
                {
                    return FetchResult.Nack;
                }

                _clock.Delay(SingleShotMs);
                ReadRaw();
            }

            if (Command(MeasureSingleShot) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            waitMs = SingleShotMs;
            return FetchResult.Ok;
        }

        public FetchResult Fetch()
        {
            _valid = false;
            if (Command(GetDataReadyStatus) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            _clock.Delay(1);
            if (_bus.Read(Address, _rx, 0, 3) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            if (!CheckWords(1))
            {
                return FetchResult.CrcError;
            }

            // Data ready when the 11 least significant bits are not all 0 (§3.8.2).
            if ((((_rx[0] << 8) | _rx[1]) & 0x07FF) == 0)
            {
                return FetchResult.NotReady;
            }

            FetchResult r = ReadRaw();
            if (r != FetchResult.Ok)
            {
                return r;
            }

            int co2 = (_rx[0] << 8) | _rx[1];
            if (co2 == 0 || co2 > 40000)
            {
                return FetchResult.OutOfRange;
            }

            _co2 = co2 * 1000000L;
            _valid = true;
            return FetchResult.Ok;
        }

        public bool TryGet(int channel, out long micro)
        {
            micro = _valid ? _co2 : 0;
            return _valid;
        }

        public void Sleep()
        {
            _valid = false;
            Command(PowerDown);
        }

        public void Reset()
        {
            _valid = false;
            Command(WakeUp);
            _clock.Delay(WakeUpMs);
            Command(Reinit);
            _clock.Delay(ReinitMs);
            _justWoken = true;
        }

        private FetchResult ReadRaw()
        {
            if (Command(ReadMeasurement) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            _clock.Delay(1);
            if (_bus.Read(Address, _rx, 0, 9) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            return CheckWords(3) ? FetchResult.Ok : FetchResult.CrcError;
        }

        private bool CheckWords(int words)
        {
            for (int w = 0; w < words; w++)
            {
                if (!SensirionCrc.Check(_rx, w * 3))
                {
                    CrcErrors++;
                    return false;
                }
            }

            return true;
        }

        private I2cStatus Command(ushort command)
        {
            _tx[0] = (byte)(command >> 8);
            _tx[1] = (byte)command;
            return _bus.Write(Address, _tx, 0, 2);
        }

        private I2cStatus CommandWithArgument(ushort command, int argument)
        {
            _tx[0] = (byte)(command >> 8);
            _tx[1] = (byte)command;
            _tx[2] = (byte)(argument >> 8);
            _tx[3] = (byte)argument;
            _tx[4] = SensirionCrc.Compute(_tx[2], _tx[3]);
            return _bus.Write(Address, _tx, 0, 5);
        }
    }
}
