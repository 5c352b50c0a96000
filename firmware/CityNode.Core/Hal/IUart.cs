namespace CityNode.Hal
{
    /// <summary>
    /// A serial port. The glue maps it to System.IO.Ports.SerialPort; the host to a simulated device.
    /// Reads never block longer than asked: sensors that stream frames are read with a deadline.
    /// </summary>
    public interface IUart
    {
        /// <summary>Bytes waiting in the receive buffer.</summary>
        int BytesAvailable { get; }

        /// <summary>Reads up to <paramref name="count"/> bytes, waiting at most <paramref name="timeoutMs"/>. Returns the bytes read (0 on timeout).</summary>
        int Read(byte[] buffer, int offset, int count, int timeoutMs);

        void Write(byte[] buffer, int offset, int count);

        /// <summary>Drops whatever is waiting in the receive buffer.</summary>
        void DiscardInput();
    }
}
