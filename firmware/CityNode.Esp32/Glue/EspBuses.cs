using System.Device.Adc;
using CityNode.Config;
using CityNode.Drivers.Bmxx80;
using CityNode.Drivers.Registry;
using CityNode.Hal;
using nanoFramework.Hardware.Esp32;

namespace CityNode.Esp32.Glue
{
    /// <summary>BoardBuses with Configuration.SetPinFunction, EspI2cBus, SerialPort and AdcController (ADC1 only).</summary>
    internal sealed class EspBuses : BoardBuses
    {
        private static readonly DeviceFunction[] PinFunctions =
        {
            DeviceFunction.I2C1_DATA, DeviceFunction.I2C1_CLOCK, DeviceFunction.I2C2_DATA, DeviceFunction.I2C2_CLOCK,
            DeviceFunction.COM2_RX, DeviceFunction.COM2_TX, DeviceFunction.COM3_RX, DeviceFunction.COM3_TX,
        };

        private readonly AdcChannel[] _adc = new AdcChannel[8];
        private AdcController _adcController;

        public EspBuses(BoardProfile board, IClock clock)
            : base(board, clock, 8)
        {
        }

        public override IUart Uart(string port, int baud) => new EspUart(port, baud);

        public override IBmxx80Port Bmxx80(int busId, int address, bool bme680) => new EspBmxx80Port(((EspI2cBus)I2c(busId)).Settings(address), bme680);

        protected override void RoutePin(int key, int gpio) => Configuration.SetPinFunction(gpio, PinFunctions[key]);

        protected override II2cBus CreateI2c(int port, int kilohertz) => new EspI2cBus(port, kilohertz);

        // Raw counts at the firmware's fixed attenuation, no eFuse calibration applied by the native driver.
        protected override int ReadRaw(int channel)
        {
            _adcController = _adcController ?? new AdcController();
            _adc[channel] = _adc[channel] ?? _adcController.OpenChannel(channel);
            return _adc[channel].ReadValue();
        }
    }
}
