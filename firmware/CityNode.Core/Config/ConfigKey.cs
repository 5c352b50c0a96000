namespace CityNode.Config
{
    /// <summary>What a config value is, and so how it is parsed and checked (<see cref="KeyRules"/>).</summary>
    public enum KeyKind
    {
        /// <summary>A whole number within [Min, Max].</summary>
        Integer = 0,
        /// <summary>Seconds written as 60, 60s, 15m, 2h or 1d, within [Min, Max].</summary>
        Duration = 1,
        /// <summary><c>true</c> or <c>false</c>.</summary>
        Bool = 2,
        /// <summary>One of the row's <see cref="ConfigKey.Choices"/>.</summary>
        Choice = 3,
        /// <summary>Text of 1 to Max characters.</summary>
        Text = 4,
        /// <summary>A WPA2 passphrase (8 to 63 printable ASCII) or PSK (64 hex digits).</summary>
        Passphrase = 5,
        /// <summary>A dotted IPv4 address.</summary>
        Address = 6,
        /// <summary>mqtt://host[:port] or mqtts://host[:port] (<see cref="BrokerUrl"/>).</summary>
        Broker = 7,
        /// <summary><c>all</c> or sensor names separated by commas.</summary>
        NameList = 8,
        /// <summary>A prefix row (<c>early.CHANNEL</c>): a positive decimal jump of that channel.</summary>
        Threshold = 9,
        /// <summary>A prefix row read by the sensor factory and drivers, which check it: here only non-empty.</summary>
        Driver = 10,
    }

    /// <summary>
    /// One row of the config key table (<see cref="ConfigKeys"/>): everything the node, the host
    /// tools and the docs know about a key. A name ending in '.' is a prefix (<c>early.</c> holds
    /// <c>early.pm2_5</c>, ...).
    /// </summary>
    public sealed class ConfigKey
    {
        internal ConfigKey(string name, KeyKind kind, long min, long max, string choices, long defaultNumber, string defaultText, int change, string unit, string doc)
        {
            Name = name;
            Kind = kind;
            Min = min;
            Max = max;
            Choices = choices;
            DefaultNumber = defaultNumber;
            DefaultText = defaultText;
            Change = change;
            Unit = unit;
            Doc = doc;
        }

        public string Name { get; private set; }

        public KeyKind Kind { get; private set; }

        /// <summary>Range of a number or duration (seconds); for text, 1 and the longest length.</summary>
        public long Min { get; private set; }

        public long Max { get; private set; }

        /// <summary>A <see cref="KeyKind.Choice"/>'s values separated by '|' (the first is the default), else null.</summary>
        public string Choices { get; private set; }

        /// <summary>Default of a number, duration or bool (0/1) when <see cref="DefaultText"/> is null and <see cref="HasDefault"/>.</summary>
        public long DefaultNumber { get; private set; }

        /// <summary>Default of a text-valued key as written in a file, or null.</summary>
        public string DefaultText { get; private set; }

        /// <summary>Set by provisioning only (identity, network, credentials, wiring).</summary>
        public const int Provisioning = 0;

        /// <summary>A remote configuration document may set it; the node applies it at once.</summary>
        public const int Remote = 1;

        /// <summary>A remote document may set it; it shapes buffers or drivers built at boot, so the node applies it at the restart it does next.</summary>
        public const int RemoteAtRestart = 2;

        /// <summary>How the key may change: <see cref="Provisioning"/>, <see cref="Remote"/> or <see cref="RemoteAtRestart"/>.</summary>
        public int Change { get; private set; }

        /// <summary>Whether a remote configuration document may set it (else provisioning only).</summary>
        public bool IsRemote { get { return Change != Provisioning; } }

        /// <summary>Unit of the value for the docs, or null.</summary>
        public string Unit { get; private set; }

        /// <summary>One line for the docs' key list.</summary>
        public string Doc { get; private set; }

        public bool IsPrefix { get { return Name[Name.Length - 1] == '.'; } }

        public bool IsNumber { get { return Kind == KeyKind.Integer || Kind == KeyKind.Duration || Kind == KeyKind.Bool; } }

        /// <summary>Whether the node has a value without the key (numbers: a default of -1 means none; texts: a default text).</summary>
        public bool HasDefault { get { return IsNumber ? DefaultNumber >= 0 : DefaultText != null; } }

        /// <summary>The default as a technician writes it (durations as 15m), or null.</summary>
        public string DefaultAsWritten()
        {
            if (!HasDefault)
            {
                return null;
            }

            if (Kind == KeyKind.Duration)
            {
                return ValueParser.FormatDuration(DefaultNumber);
            }

            if (Kind == KeyKind.Bool)
            {
                return DefaultNumber != 0 ? "true" : "false";
            }

            return IsNumber ? DefaultNumber.ToString() : DefaultText;
        }

        /// <summary>Whether <paramref name="key"/> is this row's key, or one under its prefix; compares in place (a boot parses every line through this).</summary>
        public bool Matches(string key)
        {
            int n = Name.Length;
            if (!IsPrefix)
            {
                return key.Length == n && key == Name;
            }

            if (key.Length <= n)
            {
                return false;
            }

            for (int i = 0; i < n; i++)
            {
                if (key[i] != Name[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Whether <paramref name="value"/> is one of <see cref="Choices"/> (compared in place).</summary>
        public bool IsChoice(string value)
        {
            int start = 0;
            while (start <= Choices.Length)
            {
                int end = Choices.IndexOf('|', start);
                if (end < 0)
                {
                    end = Choices.Length;
                }

                if (end - start == value.Length)
                {
                    int i = 0;
                    while (i < value.Length && Choices[start + i] == value[i])
                    {
                        i++;
                    }

                    if (i == value.Length)
                    {
                        return true;
                    }
                }

                start = end + 1;
            }

            return false;
        }

        /// <summary>The choices as a sentence: "auto, light or deep".</summary>
        public string ChoiceList()
        {
            string list = string.Empty;
            int start = 0;
            while (start <= Choices.Length)
            {
                int end = Choices.IndexOf('|', start);
                bool last = end < 0;
                string choice = Choices.Substring(start, (last ? Choices.Length : end) - start);
                list += (list.Length == 0 ? string.Empty : (last ? " or " : ", ")) + choice;
                start = last ? Choices.Length + 1 : end + 1;
            }

            return list;
        }
    }
}
