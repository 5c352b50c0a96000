namespace CityNode.Hal
{
    /// <summary>
    /// An analog input. The glue maps it to System.Device.Adc.AdcChannel (ESP32: 12 bits, 12 dB
    /// attenuation, ADC1 only while Wi-Fi runs); the host to a simulated probe.
    /// </summary>
    public interface IAdc
    {
        /// <summary>Reads the channel and returns millivolts at the pin, or a negative value on failure.</summary>
        int ReadMillivolts(int channel);
    }
}
