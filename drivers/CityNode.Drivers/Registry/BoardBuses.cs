using System;
using CityNode.Config;
using CityNode.Drivers.Bmxx80;
using CityNode.Hal;

namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// A board's buses as its profile describes them, for a platform's glue: the profile's pins routed
    /// at construction (the ESP32's GPIO matrix is RAM state: the firmware's defaults come back at
    /// every reset, so route at every boot); one II2cBus per port at the profile's speed, created once
    /// (on the ESP32 every I2cDevice constructor reconfigures the whole port, so every device on a
    /// port must share its settings); ADC channels through the profile's two-point calibration, any
    /// native failure a -1. The glue supplies the native calls.
    /// </summary>
    public abstract class BoardBuses : IBusProvider, IAdc
    {
        /// <summary>The board profile's pin keys, in the order <see cref="RoutePin"/> receives them.</summary>
        public static readonly string[] PinKeys = { "pins.i2c1_sda", "pins.i2c1_scl", "pins.i2c2_sda", "pins.i2c2_scl", "pins.com2_rx", "pins.com2_tx", "pins.com3_rx", "pins.com3_tx" };

        private readonly II2cBus[] _i2c = new II2cBus[3];
        private readonly int _adcChannels;

        /// <param name="adcChannels">Channels 0 to this − 1 can be read (ESP32: ADC1's 8; ADC2 does not convert while Wi-Fi runs).</param>
        protected BoardBuses(BoardProfile board, IClock clock, int adcChannels)
        {
            Board = board;
            Clock = clock;
            _adcChannels = adcChannels;
            for (int i = 0; i < PinKeys.Length; i++)
            {
                string pin = board.Document.Get(PinKeys[i]);
                if (pin != null)
                {
                    RoutePin(i, int.Parse(pin));
                }
            }
        }

        public BoardProfile Board { get; private set; }

        public IClock Clock { get; private set; }

        public II2cBus I2c(int busId)
        {
            int i = busId == 2 ? 2 : 1;
            return _i2c[i] ?? (_i2c[i] = CreateI2c(i, Board.I2cKilohertz(i)));
        }

        public IAdc Adc()
        {
            return this;
        }

        public int ReadMillivolts(int channel)
        {
            if (channel < 0 || channel >= _adcChannels)
            {
                return -1;
            }

            try
            {
                return Board.AdcMillivolts(ReadRaw(channel));
            }
            catch (Exception)
            {
                return -1;
            }
        }

        public abstract IUart Uart(string port, int baud);

        public abstract IBmxx80Port Bmxx80(int busId, int address, bool bme680);

        /// <summary>Routes a GPIO to the function of <see cref="PinKeys"/>[<paramref name="key"/>].</summary>
        protected abstract void RoutePin(int key, int gpio);

        protected abstract II2cBus CreateI2c(int port, int kilohertz);

        /// <summary>A raw 12-bit conversion of the channel; may throw.</summary>
        protected abstract int ReadRaw(int channel);
    }
}
