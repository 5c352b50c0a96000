namespace CityNode.Sensors
{
    /// <summary>Outcome of reading a sensor. Anything but <see cref="Ok"/> leaves the driver without a value.</summary>
    public enum FetchResult
    {
        Ok = 0,
        /// <summary>The sensor has no new data yet (data-ready not set, EZO status 254).</summary>
        NotReady = 1,
        /// <summary>No acknowledge on the bus.</summary>
        Nack = 2,
        /// <summary>A CRC or checksum did not match.</summary>
        CrcError = 3,
        /// <summary>No answer in time (UART frame, clock stretching).</summary>
        Timeout = 4,
        /// <summary>The sensor answered with an error (EZO status 2, a malformed frame).</summary>
        DeviceError = 5,
        /// <summary>The sensor is not there or is not what the config says (wrong chip id).</summary>
        NotPresent = 6,
        /// <summary>The sensor reported a value outside its physical range.</summary>
        OutOfRange = 7,
        /// <summary>The sensor repeated the same raw frame for too long (stuck).</summary>
        Stuck = 8,
    }
}
