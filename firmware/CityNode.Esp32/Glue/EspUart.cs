using System;
using System.IO.Ports;
using CityNode.Hal;

namespace CityNode.Esp32.Glue
{
    /// <summary>IUart over System.IO.Ports.SerialPort; a read timeout is a short read, for the driver to judge.</summary>
    internal sealed class EspUart : IUart
    {
        private readonly SerialPort _port;

        public EspUart(SerialPort port)
        {
            (_port = port).Open();
        }

        public int BytesAvailable => _port.BytesToRead;

        public int Read(byte[] buffer, int offset, int count, int timeoutMs)
        {
            _port.ReadTimeout = timeoutMs;
            int got = 0;
            try
            {
                while (got < count)
                {
                    got += _port.Read(buffer, offset + got, count - got);
                }
            }
            catch (TimeoutException)
            {
            }

            return got;
        }

        public void Write(byte[] buffer, int offset, int count) => _port.Write(buffer, offset, count);

        public void DiscardInput() => _port.ReadExisting();
    }
}
