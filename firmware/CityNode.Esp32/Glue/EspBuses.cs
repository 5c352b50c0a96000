using System.Device.Adc;
using System.Device.I2c;
using System.IO.Ports;
using CityNode.Config;
using CityNode.Drivers.Bmxx80;
using CityNode.Drivers.Registry;
using CityNode.Hal;
using nanoFramework.Hardware.Esp32;

namespace CityNode.Esp32.Glue
{
    /// <summary>IBusProvider: the board profile's pins, then System.Device.I2c, System.IO.Ports and System.Device.Adc.</summary>
    internal sealed class EspBuses : IBusProvider, II2cBus, IAdc
    {
        private static readonly string[] PinKeys = { "pins.i2c1_sda", "pins.i2c1_scl", "pins.com2_rx", "pins.com2_tx" };
        private static readonly DeviceFunction[] PinFunctions = { DeviceFunction.I2C1_DATA, DeviceFunction.I2C1_CLOCK, DeviceFunction.COM2_RX, DeviceFunction.COM2_TX };
        private readonly I2cDevice[] _devices = new I2cDevice[128];
        private readonly AdcChannel[] _adc = new AdcChannel[10];
        private AdcController _adcController;
        private int _busId = 1;

        public EspBuses(BoardProfile board, IClock clock)
        {
            Clock = clock;
            for (int i = 0; i < PinKeys.Length; i++)
            {
                string pin = board.Document.Get(PinKeys[i]);
                if (pin != null)
                {
                    Configuration.SetPinFunction(int.Parse(pin), PinFunctions[i]);
                }
            }
        }

        public IClock Clock { get; private set; }

        public II2cBus I2c(int busId)
        {
            _busId = busId;
            return this;
        }

        public IUart Uart(string port, int baud) => new EspUart(new SerialPort(port, baud));

        public IAdc Adc() => this;

        public IBmxx80Port Bmxx80(int busId, int address, bool bme680) => new EspBmxx80Port(busId, address);

        public I2cStatus Write(int address, byte[] buffer, int offset, int count) => Status(Device(address).Write(new SpanByte(buffer, offset, count)));

        public I2cStatus Read(int address, byte[] buffer, int offset, int count) => Status(Device(address).Read(new SpanByte(buffer, offset, count)));

        // 12 bits, 12 dB attenuation: full scale about 3.3 V (the board profile's divider scales the battery).
        public int ReadMillivolts(int channel)
        {
            _adcController = _adcController ?? new AdcController();
            _adc[channel] = _adc[channel] ?? _adcController.OpenChannel(channel);
            return (int)(_adc[channel].ReadRatio() * 3300);
        }

        private I2cDevice Device(int address) =>
            _devices[address] ?? (_devices[address] = I2cDevice.Create(new I2cConnectionSettings(_busId, address, I2cBusSpeed.StandardMode)));

        private static I2cStatus Status(I2cTransferResult r)
        {
            switch (r.Status)
            {
                case I2cTransferStatus.FullTransfer: return I2cStatus.Ok;
                case I2cTransferStatus.SlaveAddressNotAcknowledged: return I2cStatus.Nack;
                case I2cTransferStatus.ClockStretchTimeout: return I2cStatus.Timeout;
                case I2cTransferStatus.PartialTransfer: return I2cStatus.Partial;
                default: return I2cStatus.Error;
            }
        }
    }
}
