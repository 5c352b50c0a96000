using System;
using CityNode.Sensors;

namespace CityNode.Drivers.Bmxx80
{
    /// <summary>
    /// Wraps a Bmxx80 binding port so that nothing it throws reaches the sampler (the nanoFramework
    /// binding and the native I2C driver throw IOException, ArgumentException, InvalidOperationException)
    /// and a binding that failed to open is never touched: a failure is a value (Nack, NotPresent, false).
    /// </summary>
    public sealed class GuardedBmxx80Port : IBmxx80Port
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

        public int StartMeasurement()
        {
            if (!_open)
            {
                return -(int)FetchResult.NotPresent;
            }

            try
            {
                return _port.StartMeasurement();
            }
            catch (Exception)
            {
                return -(int)FetchResult.Nack;
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
