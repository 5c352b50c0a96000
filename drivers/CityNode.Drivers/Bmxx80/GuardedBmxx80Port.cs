using System;
using CityNode.Sensors;

namespace CityNode.Drivers.Bmxx80
{
    /// <summary>
    /// Wraps a Bmxx80 binding port so that nothing it throws reaches the sensor (the nanoFramework
    /// binding and the native I2C driver throw IOException, ArgumentException, InvalidOperationException)
    /// and a binding that failed to open is never touched: a failure is a value (Nack, NotPresent, false).
    /// Every <see cref="Bmxx80Sensor"/> reads its chip through one.
    /// </summary>
    public sealed class GuardedBmxx80Port
    {
        private readonly IBmxx80Port _port;
        private bool _open;

        public GuardedBmxx80Port(IBmxx80Port port)
        {
            _port = port;
        }

        public bool HasGas
        {
            get { return _port.HasGas; }
        }

        public bool Open()
        {
            Close();
            try
            {
                _open = _port.Open();
            }
            catch (Exception)
            {
                _open = false;
            }

            if (!_open)
            {
                Close();
            }

            return _open;
        }

        /// <summary>Starts a forced-mode measurement: Ok with the milliseconds it takes, NotPresent when not open, Nack when the binding threw.</summary>
        public FetchResult StartMeasurement(out int waitMs)
        {
            waitMs = 0;
            if (!_open)
            {
                return FetchResult.NotPresent;
            }

            try
            {
                waitMs = _port.StartMeasurement();
                return FetchResult.Ok;
            }
            catch (Exception)
            {
                return FetchResult.Nack;
            }
        }

        public bool IsMeasuring()
        {
            try
            {
                return _open && _port.IsMeasuring();
            }
            catch (Exception)
            {
                return false;
            }
        }

        public bool Read(out long temperature, out long humidity, out long pressure, out long gasResistance)
        {
            temperature = humidity = pressure = gasResistance = 0;
            try
            {
                return _open && _port.Read(out temperature, out humidity, out pressure, out gasResistance);
            }
            catch (Exception)
            {
                return false;
            }
        }

        public void Close()
        {
            _open = false;
            try
            {
                _port.Close();
            }
            catch (Exception)
            {
            }
        }
    }
}
