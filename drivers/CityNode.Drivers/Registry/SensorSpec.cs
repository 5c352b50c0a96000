using CityNode.Config;

namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// Where a sensor is attached, from a config line such as <c>sensor.scd41 = i2c:0x62,altitude=120</c>:
    /// <c>i2c[BUS]:ADDRESS</c>, <c>uart:PORT</c> or <c>adc:CHANNEL</c>, then optional <c>key=value</c>
    /// options (<c>divider=3/2</c>, <c>altitude=120</c>).
    /// </summary>
    public sealed class SensorSpec
    {
        public string Name { get; private set; }

        public string Bus { get; private set; }

        public int BusId { get; private set; }

        public int Address { get; private set; }

        public string Port { get; private set; }

        public int Channel { get; private set; }

        public int DividerNumerator { get; private set; }

        public int DividerDenominator { get; private set; }

        public int Altitude { get; private set; }

        public static SensorSpec Parse(string name, string value, int line)
        {
            string key = "sensor." + name;
            SensorSpec s = new SensorSpec();
            s.Name = name;
            s.BusId = 1;
            s.DividerNumerator = 1;
            s.DividerDenominator = 1;
            int colon = value.IndexOf(':');
            if (colon <= 0)
            {
                throw new ConfigException(line, key, "'" + value + "' is not i2c:ADDRESS, uart:PORT or adc:CHANNEL");
            }

            string bus = value.Substring(0, colon);
            string rest = value.Substring(colon + 1);
            string where = rest;
            string options = null;
            int comma = rest.IndexOf(',');
            if (comma >= 0)
            {
                where = rest.Substring(0, comma);
                options = rest.Substring(comma + 1);
            }

            long n;
            if (bus == "i2c" || bus == "i2c1" || bus == "i2c2")
            {
                s.Bus = "i2c";
                s.BusId = bus == "i2c2" ? 2 : 1;
                if (!ValueParser.TryInteger(where, 0x08, 0x77, out n))
                {
                    throw new ConfigException(line, key, "'" + where + "' is not a 7-bit I2C address (0x08..0x77)");
                }

                s.Address = (int)n;
            }
            else if (bus == "uart")
            {
                s.Bus = "uart";
                // The ESP32 has three UARTs; nanoFramework's debug channel (wire protocol) is COM1.
                if (where.Length != 4 || where.Substring(0, 3) != "COM" || !ValueParser.TryInteger(where.Substring(3), 2, 3, out n))
                {
                    throw new ConfigException(line, key, "'" + where + "' is not a sensor serial port: COM2 or COM3 (COM1 is nanoFramework's debug channel)");
                }

                s.Port = where;
            }
            else if (bus == "adc")
            {
                s.Bus = "adc";
                // ADC1 only: ADC2 stops converting once Wi-Fi has started (ESP-IDF ADC docs), and the glue opens channels 0-7.
                if (!ValueParser.TryInteger(where, 0, 7, out n))
                {
                    throw new ConfigException(line, key, "'" + where + "' is not an ADC1 channel (0..7; ADC2 does not convert while Wi-Fi is on)");
                }

                s.Channel = (int)n;
            }
            else
            {
                throw new ConfigException(line, key, "unknown bus '" + bus + "' (i2c, i2c1, i2c2, uart, adc)");
            }

            if (options != null)
            {
                s.ParseOptions(options, key, line);
            }

            return s;
        }

        private void ParseOptions(string options, string key, int line)
        {
            int start = 0;
            while (start < options.Length)
            {
                int comma = options.IndexOf(',', start);
                int end = comma < 0 ? options.Length : comma;
                string option = options.Substring(start, end - start);
                int eq = option.IndexOf('=');
                string name = eq > 0 ? option.Substring(0, eq) : option;
                string value = eq > 0 ? option.Substring(eq + 1) : string.Empty;
                long n;
                if (name == "divider")
                {
                    int slash = value.IndexOf('/');
                    long d;
                    if (slash <= 0 || !ValueParser.TryInteger(value.Substring(0, slash), 1, 100, out n) || !ValueParser.TryInteger(value.Substring(slash + 1), 1, 100, out d))
                    {
                        throw new ConfigException(line, key, "divider '" + value + "' is not N/D (probe voltage = pin voltage × N / D)");
                    }

                    DividerNumerator = (int)n;
                    DividerDenominator = (int)d;
                }
                else if (name == "altitude")
                {
                    if (!ValueParser.TryInteger(value, -500, 9000, out n))
                    {
                        throw new ConfigException(line, key, "altitude '" + value + "' is not metres from -500 to 9000");
                    }

                    Altitude = (int)n;
                }
                else
                {
                    throw new ConfigException(line, key, "unknown option '" + name + "' (divider, altitude)");
                }

                start = end + 1;
            }
        }
    }
}
