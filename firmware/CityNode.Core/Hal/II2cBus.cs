namespace CityNode.Hal
{
    /// <summary>Outcome of one I2C transaction, as the bus controller reports it.</summary>
    public enum I2cStatus
    {
        Ok = 0,
        /// <summary>The address or a data byte was not acknowledged (device absent, asleep or busy).</summary>
        Nack = 1,
        /// <summary>The target stretched the clock past the controller's limit.</summary>
        Timeout = 2,
        /// <summary>Fewer bytes moved than asked.</summary>
        Partial = 3,
        Error = 4,
    }

    /// <summary>
    /// One I2C controller. On the ESP32 the glue maps it to System.Device.I2c.I2cDevice (one per
    /// address); on the host a simulated bus routes each address to a simulated device.
    /// </summary>
    public interface II2cBus
    {
        /// <summary>Writes <paramref name="count"/> bytes to the device at a 7-bit address.</summary>
        I2cStatus Write(int address, byte[] buffer, int offset, int count);

        /// <summary>Reads <paramref name="count"/> bytes from the device at a 7-bit address.</summary>
        I2cStatus Read(int address, byte[] buffer, int offset, int count);
    }
}
