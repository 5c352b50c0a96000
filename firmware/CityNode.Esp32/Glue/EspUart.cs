using System;
using System.IO.Ports;
using CityNode.Hal;

namespace CityNode.Esp32.Glue
{
    /// <summary>IUart over System.IO.Ports.SerialPort, whose Read waits for every byte asked (ExactReadUart reads around that).</summary>
    internal sealed class EspUart : ExactReadUart
    {
        private readonly SerialPort _port;

        public EspUart(string port, int baud)
        {
            _port = new SerialPort(port, baud);
            try
            {
                _port.Open();
            }
            catch (Exception e)
            {
                Console.WriteLine(port + ": " + e.Message); // no pins routed: every read comes back empty, the driver reports the sensor absent
            }
        }

        public override int BytesAvailable => _port.IsOpen ? _port.BytesToRead : 0;

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (_port.IsOpen)
            {
                _port.Write(buffer, offset, count);
            }
        }

        protected override bool ReadExactly(byte[] buffer, int offset, int count, int timeoutMs)
        {
            _port.ReadTimeout = timeoutMs;
            try
            {
                return _port.IsOpen && _port.Read(buffer, offset, count) == count;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }
}
