using CityNode.Telemetry;

namespace CityNode.Config
{
    /// <summary>
    /// How a value of each <see cref="KeyKind"/> is checked, with the row's range. A bad value throws
    /// a <see cref="ConfigException"/> naming the line, the key, the rule and the accepted form.
    /// Nothing is allocated for a good value except where noted (a boot parses every line through here).
    /// </summary>
    public static class KeyRules
    {
        /// <summary>The value of a number, duration (seconds) or bool (0/1) row.</summary>
        public static long Number(ConfigKey k, int line, string key, string value)
        {
            switch (k.Kind)
            {
                case KeyKind.Duration:
                    return Duration(line, key, value, k.Min, k.Max);
                case KeyKind.Bool:
                    if (value != "true" && value != "false")
                    {
                        throw new ConfigException(line, key, "'" + value + "': true or false");
                    }

                    return value == "true" ? 1 : 0;
                default:
                    long n;
                    if (!ValueParser.TryInteger(value, k.Min, k.Max, out n))
                    {
                        throw new ConfigException(line, key, "'" + value + "' is not a whole number from " + k.Min.ToString() + " to " + k.Max.ToString());
                    }

                    return n;
            }
        }

        /// <summary>Checks the value of a text-valued row (the value itself is kept as the document holds it).</summary>
        public static void Text(ConfigKey k, int line, string key, string value)
        {
            switch (k.Kind)
            {
                case KeyKind.Choice:
                    if (!k.IsChoice(value))
                    {
                        throw new ConfigException(line, key, "'" + value + "' is not " + k.ChoiceList());
                    }

                    return;
                case KeyKind.Text:
                    if (value.Length < k.Min || value.Length > k.Max)
                    {
                        throw new ConfigException(line, key, "must be " + k.Min.ToString() + " to " + k.Max.ToString() + " characters");
                    }

                    return;
                case KeyKind.Passphrase:
                    WpaPassphrase(line, key, value);
                    return;
                case KeyKind.Address:
                    Address(line, key, value);
                    return;
                case KeyKind.Broker:
                    Broker(k, line, key, value);
                    return;
                case KeyKind.NameList:
                    NameList(line, key, value);
                    return;
                default:
                    // sensor.* and calibration.* are read by the sensor factory and the drivers, which check them.
                    if (value.Length == 0)
                    {
                        throw new ConfigException(line, key, "empty value");
                    }

                    return;
            }
        }

        /// <summary>An <c>early.CHANNEL</c> threshold: the channel's id (the jump goes to <paramref name="micro"/>).</summary>
        public static int Threshold(ConfigKey k, int line, string key, string value, out long micro)
        {
            string channel = key.Substring(k.Name.Length);
            int id = Channels.FromName(channel);
            if (id < 0)
            {
                throw new ConfigException(line, key, "unknown channel '" + channel + "'");
            }

            if (!ValueParser.TryMicro(value, out micro) || micro <= 0)
            {
                throw new ConfigException(line, key, "'" + value + "' is not a positive number");
            }

            return id;
        }

        /// <summary>A broker URL as the node connects to it: no credentials (mqtt.username/mqtt.password hold them), no path.</summary>
        public static BrokerUrl Broker(ConfigKey k, int line, string key, string value)
        {
            if (!BrokerUrl.HasScheme(value) || value.Length < k.Min || value.Length > k.Max)
            {
                throw new ConfigException(line, key, "'" + value + "' is not a broker URL (mqtt://host[:port] or mqtts://host[:port])");
            }

            BrokerUrl url = BrokerUrl.Parse(value);
            if (url == null || url.UserInfo != null)
            {
                throw new ConfigException(line, key, "'" + value + "' is not a broker URL (mqtt://host[:port] or mqtts://host[:port]; credentials go in mqtt.username and mqtt.password)");
            }

            return url;
        }

        private static long Duration(int line, string key, string value, long min, long max)
        {
            long s;
            if (!ValueParser.TryDuration(value, out s))
            {
                throw new ConfigException(line, key, "'" + value + "' is not a duration (examples: 60, 60s, 15m, 2h)");
            }

            if (s < min || s > max)
            {
                throw new ConfigException(line, key, ValueParser.FormatDuration(s) + " is outside " + ValueParser.FormatDuration(min) + ".." + ValueParser.FormatDuration(max));
            }

            return s;
        }

        /// <summary>
        /// A WPA2-Personal key as the ESP32's Wi-Fi driver takes it: a passphrase of 8 to 63
        /// printable ASCII characters, or the 256-bit PSK as 64 hex digits (IEEE 802.11i-2004 H.4.1;
        /// ESP-IDF wifi_sta_config_t.password). Anything else never joins.
        /// </summary>
        private static void WpaPassphrase(int line, string key, string value)
        {
            bool hex = value.Length == 64;
            for (int i = 0; i < value.Length; i++)
            {
                char ch = value[i];
                if (ch < ' ' || ch > '~')
                {
                    throw new ConfigException(line, key, "character " + (i + 1).ToString() + " is not printable ASCII (a WPA2 passphrase is 8 to 63 printable ASCII characters)");
                }

                hex &= (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
            }

            if ((value.Length < 8 || value.Length > 63) && !hex)
            {
                throw new ConfigException(line, key, value.Length.ToString() + " characters: a WPA2 passphrase has 8 to 63 (or the key as 64 hex digits)");
            }
        }

        private static void NameList(int line, string key, string value)
        {
            if (value.Length == 0)
            {
                throw new ConfigException(line, key, "empty list (use 'all' or names separated by commas)");
            }

            for (int i = 0; i < value.Length; i++)
            {
                char ch = value[i];
                if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == ','))
                {
                    throw new ConfigException(line, key, "sensor names use a-z, 0-9 and '_', separated by ',' without spaces");
                }
            }
        }

        private static void Address(int line, string key, string value)
        {
            int dots = 0;
            int part = 0;
            int digits = 0;
            for (int i = 0; i <= value.Length; i++)
            {
                if (i == value.Length || value[i] == '.')
                {
                    if (digits == 0 || part > 255)
                    {
                        break;
                    }

                    if (i < value.Length)
                    {
                        dots++;
                    }

                    part = 0;
                    digits = 0;
                    if (i == value.Length && dots == 3)
                    {
                        return;
                    }

                    continue;
                }

                char ch = value[i];
                if (ch < '0' || ch > '9' || ++digits > 3)
                {
                    break;
                }

                part = (part * 10) + (ch - '0');
            }

            throw new ConfigException(line, key, "'" + value + "' is not an IPv4 address");
        }
    }
}
