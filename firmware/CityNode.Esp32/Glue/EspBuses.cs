using System;
using System.Device.Adc;
using CityNode.Config;
using CityNode.Drivers.Bmxx80;
using CityNode.Drivers.Registry;
using CityNode.Hal;
using nanoFramework.Hardware.Esp32;

namespace CityNode.Esp32.Glue
{
    /// <summary>IBusProvider: the board profile's pins routed first, then one EspI2cBus per I2C port, SerialPort, AdcController.</summary>
    internal sealed class EspBuses : IBusProvider, IAdc
    {
        // The GPIO matrix is RAM state: the firmware's defaults come back at every reset, so route at every boot.
        private static readonly string[] PinKeys = { "pins.i2c1_sda", "pins.i2c1_scl", "pins.i2c2_sda", "pins.i2c2_scl", "pins.com2_rx", "pins.com2_tx", "pins.com3_rx", "pins.com3_tx" };
        private static readonly DeviceFunction[] PinFunctions =
        {
            DeviceFunction.I2C1_DATA, DeviceFunction.I2C1_CLOCK, DeviceFunction.I2C2_DATA, DeviceFunction.I2C2_CLOCK,
            DeviceFunction.COM2_RX, DeviceFunction.COM2_TX, DeviceFunction.COM3_RX, DeviceFunction.COM3_TX,
        };

        private readonly BoardProfile _board;
        private readonly EspI2cBus[] _i2c = new EspI2cBus[3];

        // ADC1 only (channels 0-7): ADC2 does not convert once Wi-Fi has started, and Wi-Fi stays started until the next reset.
        private readonly AdcChannel[] _adc = new AdcChannel[8];
        private AdcController _adcController;

        public EspBuses(BoardProfile board, IClock clock)
        {
            _board = board;
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
            int i = busId == 2 ? 2 : 1;
            return _i2c[i] ?? (_i2c[i] = new EspI2cBus(i, _board.I2cKilohertz(i)));
        }

        public IUart Uart(string port, int baud) => new EspUart(port, baud);

        public IAdc Adc() => this;

        public IBmxx80Port Bmxx80(int busId, int address, bool bme680) => new EspBmxx80Port(((EspI2cBus)I2c(busId)).Settings(address), bme680);

        // Raw counts at the firmware's fixed attenuation, no eFuse calibration applied by the native
        // driver: the board profile's two-point calibration (adc.*) turns them into millivolts.
        public int ReadMillivolts(int channel)
        {
            if (channel < 0 || channel >= _adc.Length)
            {
                return -1;
            }

            try
            {
                _adcController = _adcController ?? new AdcController();
                _adc[channel] = _adc[channel] ?? _adcController.OpenChannel(channel);
                return _board.AdcMillivolts(_adc[channel].ReadValue());
            }
            catch (Exception)
            {
                return -1;
            }
        }
    }
}
