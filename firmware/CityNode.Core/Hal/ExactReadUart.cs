namespace CityNode.Hal
{
    /// <summary>
    /// IUart over a serial port whose reads wait until every byte asked for is buffered, or time out
    /// keeping the partial bytes (nanoFramework's SerialPort.Read on the ESP32: nf-interpreter
    /// targets/ESP32/_nanoCLR/System.IO.Ports/sys_io_ser_native_System_IO_Ports_SerialPort.cpp). Reads
    /// only what is buffered, waiting (with the timeout) for one byte when nothing is, so a read never
    /// asks for bytes that may not come.
    /// </summary>
    public abstract class ExactReadUart : IUart
    {
        private readonly byte[] _discard = new byte[32];

        /// <summary>Bytes buffered now (0 when the port is not open).</summary>
        public abstract int BytesAvailable { get; }

        public int Read(byte[] buffer, int offset, int count, int timeoutMs)
        {
            if (count <= 0)
            {
                return 0;
            }

            int got = 0;
            if (BytesAvailable == 0)
            {
                if (!ReadExactly(buffer, offset, 1, timeoutMs > 0 ? timeoutMs : 1))
                {
                    return 0;
                }

                got = 1;
            }

            int more = BytesAvailable;
            if (more > count - got)
            {
                more = count - got;
            }

            return more > 0 && ReadExactly(buffer, offset + got, more, 1) ? got + more : got;
        }

        public abstract void Write(byte[] buffer, int offset, int count);

        public void DiscardInput()
        {
            int n;
            while ((n = BytesAvailable) > 0 && ReadExactly(_discard, 0, n < _discard.Length ? n : _discard.Length, 1))
            {
            }
        }

        /// <summary>Reads exactly <paramref name="count"/> bytes, waiting at most <paramref name="timeoutMs"/>; false on timeout (nothing taken).</summary>
        protected abstract bool ReadExactly(byte[] buffer, int offset, int count, int timeoutMs);
    }
}
