using System;
using System.IO.Ports;
using CityNode.Hal;

namespace CityNode.Esp32.Glue
{
    /// <summary>
    /// IUart over System.IO.Ports.SerialPort. On the ESP32 SerialPort.Read(buf, off, count) waits until
    /// all <c>count</c> bytes are buffered, else throws TimeoutException and keeps the partial bytes
    /// (nf-interpreter targets/ESP32/_nanoCLR/System.IO.Ports/sys_io_ser_native_System_IO_Ports_SerialPort.cpp):
    /// so this reads only what is buffered, waiting (with a timeout) for one byte when nothing is.
    /// </summary>
    internal sealed class EspUart : IUart
    {
        private readonly SerialPort _port;
        private readonly byte[] _discard = new byte[32];

        public EspUart(string port, int baud)
        {
            _port = new SerialPort(port, baud);
            try
            {
                _port.Open();
            }
            catch (Exception e)
            {
                Console.WriteLine(port + ": " + e.Message); // not there: every read comes back empty, the driver reports the sensor absent
            }
        }

        public int BytesAvailable => _port.IsOpen ? _port.BytesToRead : 0;

        public int Read(byte[] buffer, int offset, int count, int timeoutMs)
        {
            if (!_port.IsOpen || count <= 0)
            {
                return 0;
            }

            int got = 0;
            if (_port.BytesToRead == 0)
            {
                _port.ReadTimeout = timeoutMs > 0 ? timeoutMs : 1;
                try
                {
                    got = _port.Read(buffer, offset, 1);
                }
                catch (TimeoutException)
                {
                    return 0;
                }
            }

            int more = _port.BytesToRead;
            if (more > count - got)
            {
                more = count - got;
            }

            return more > 0 ? got + _port.Read(buffer, offset + got, more) : got;
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            if (_port.IsOpen)
            {
                _port.Write(buffer, offset, count);
            }
        }

        public void DiscardInput()
        {
            int n;
            while (_port.IsOpen && (n = _port.BytesToRead) > 0)
            {
                _port.Read(_discard, 0, n < _discard.Length ? n : _discard.Length);
            }
        }
    }
}
