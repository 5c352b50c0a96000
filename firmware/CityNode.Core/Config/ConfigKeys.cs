namespace CityNode.Config
{
    /// <summary>
    /// The node config's keys, one row each: the only place a key is written. Parsing and checking
    /// (<see cref="NodeConfig"/>, <see cref="KeyRules"/>), defaults, what a remote document may set
    /// (<see cref="NodeConfig.WithRemote"/>), the host's provisioning and <c>citynode configure</c>
    /// checks and the key list in docs/config-keys.md (compared with this table by
    /// ConfigKeyTableTests) are read from it. Adding a key: one row here with its slot constant, and
    /// a property in NodeConfig for the code that uses it.
    /// </summary>
    public static class ConfigKeys
    {
        public const int MinSampleSeconds = 10;
        public const int MaxIntervalSeconds = 86400;
        public const int MaxBatch = 1024;

        // Slots: a row's position in All, and where NodeConfig keeps its value. Row() checks the order.
        public const int NodeId = 0;
        public const int Version = 1;
        public const int Sample = 2;
        public const int Publish = 3;
        public const int Batch = 4;
        public const int Sensors = 5;
        public const int LowBattery = 6;
        public const int Sleep = 7;
        public const int Early = 8;
        public const int Calibration = 9;
        public const int Ack = 10;
        public const int Resend = 11;
        public const int Board = 12;
        public const int WifiSsid = 13;
        public const int WifiPassword = 14;
        public const int WifiIp = 15;
        public const int WifiNetmask = 16;
        public const int WifiGateway = 17;
        public const int WifiDns = 18;
        public const int MqttBroker = 19;
        public const int MqttUsername = 20;
        public const int MqttPassword = 21;
        public const int MqttCa = 22;
        public const int MqttClientCert = 23;
        public const int MqttClientKey = 24;
        public const int KeepAlive = 25;
        public const int Sensor = 26;
        public const int Bench = 27;
        public const int NodeGroup = 28;

        private const int Provisioning = ConfigKey.Provisioning;
        private const int Remote = ConfigKey.Remote;
        private const int AtRestart = ConfigKey.RemoteAtRestart;
        private const long None = -1;

        private static int _rows;

        /// <summary>The table. Remote rows first, in the order the CLI lists them.</summary>
        public static readonly ConfigKey[] All = new ConfigKey[]
        {
            Row(NodeId, "node.id", KeyKind.Integer, 1, uint.MaxValue, null, None, null, Provisioning, null, "the node's number: its MQTT topics are citynode/ID/..."),
            Row(Version, "config.version", KeyKind.Integer, 0, int.MaxValue, null, 0, null, Remote, null, "version of the settings; a remote document must be newer than the running one"),
            Row(Sample, "sample", KeyKind.Duration, MinSampleSeconds, MaxIntervalSeconds, null, 60, null, Remote, "s", "time between samples"),
            Row(Publish, "publish", KeyKind.Duration, MinSampleSeconds, MaxIntervalSeconds, null, 900, null, Remote, "s", "longest time between publishes (data freshness); not shorter than sample"),
            Row(Batch, "batch", KeyKind.Integer, 1, MaxBatch, null, 64, null, AtRestart, "samples", "samples per batch: a full batch is sealed and published before publish is up"),
            Row(Sensors, "sensors", KeyKind.NameList, 1, ConfigDocument.MaxLength, null, None, "all", AtRestart, null, "enabled sensors: all, or names with a sensor.NAME line, separated by commas"),
            Row(LowBattery, "low_battery_mv", KeyKind.Integer, 2500, 5000, null, 3400, null, Remote, "mV", "below this battery voltage the node stretches its intervals"),
            Row(Sleep, "sleep", KeyKind.Choice, 0, 0, "auto|light|deep", None, null, Remote, null, "sleep between wakes: auto lets the power policy choose"),
            Row(Early, "early.", KeyKind.Threshold, 1, NodeConfig.MaxEarlyThresholds, null, None, null, Remote, "channel unit", "early.CHANNEL: a jump between two samples of that channel that publishes at once"),
            Row(Calibration, "calibration.", KeyKind.Driver, 1, ConfigDocument.MaxLength, null, None, null, AtRestart, null, "calibration.NAME: read and checked by the sensor's driver (its README)"),
            Row(Ack, "delivery.ack", KeyKind.Choice, 0, 0, "broker|backend", None, null, Remote, null, "what releases a batch from flash: the broker's PUBACK or the backend's acknowledgement (docs/reliability.md)"),
            Row(Resend, "delivery.resend", KeyKind.Duration, MinSampleSeconds, 7 * MaxIntervalSeconds, null, None, null, Remote, "s", "with delivery.ack = backend: resend batches not acknowledged after this (default three publish windows)"),
            Row(Board, "board", KeyKind.Text, 1, 32, null, None, null, Provisioning, null, "board profile id (boards/NAME.board)"),
            Row(WifiSsid, "wifi.ssid", KeyKind.Text, 1, 32, null, None, null, Provisioning, null, "Wi-Fi network name"),
            Row(WifiPassword, "wifi.password", KeyKind.Passphrase, 8, 64, null, None, null, Provisioning, null, "WPA2 passphrase (8 to 63 printable ASCII) or PSK (64 hex digits)"),
            Row(WifiIp, "wifi.ip", KeyKind.Address, 0, 0, null, None, null, Provisioning, null, "static IPv4 address (default DHCP)"),
            Row(WifiNetmask, "wifi.netmask", KeyKind.Address, 0, 0, null, None, null, Provisioning, null, "netmask with wifi.ip"),
            Row(WifiGateway, "wifi.gateway", KeyKind.Address, 0, 0, null, None, null, Provisioning, null, "gateway with wifi.ip"),
            Row(WifiDns, "wifi.dns", KeyKind.Address, 0, 0, null, None, null, Provisioning, null, "DNS server with wifi.ip"),
            Row(MqttBroker, "mqtt.broker", KeyKind.Broker, 9, 128, null, None, null, Provisioning, null, "mqtts://host[:port] (TLS, 8883) or mqtt://host[:port] (1883)"),
            Row(MqttUsername, "mqtt.username", KeyKind.Text, 1, 64, null, None, null, Provisioning, null, "the node's MQTT user (citynode provision: node-ID)"),
            Row(MqttPassword, "mqtt.password", KeyKind.Text, 1, 128, null, None, null, Provisioning, null, "the node's MQTT password (generated by citynode provision)"),
            Row(MqttCa, "mqtt.ca", KeyKind.Text, 1, 128, null, None, null, Provisioning, null, "file of the broker's CA certificate on the node's drive (I:\\ca.pem)"),
            Row(MqttClientCert, "mqtt.client_cert", KeyKind.Text, 1, 128, null, None, null, Provisioning, null, "file of a client certificate on the node's drive"),
            Row(MqttClientKey, "mqtt.client_key", KeyKind.Text, 1, 128, null, None, null, Provisioning, null, "file of the client certificate's key on the node's drive"),
            Row(KeepAlive, "mqtt.keepalive", KeyKind.Duration, 5, 3600, null, 60, null, Provisioning, "s", "MQTT keep-alive while connected"),
            Row(Sensor, "sensor.", KeyKind.Driver, 1, ConfigDocument.MaxLength, null, None, null, Provisioning, null, "sensor.NAME = BUS:ADDRESS: a wired sensor (its README)"),
            Row(Bench, "bench", KeyKind.Bool, 0, 1, null, 0, null, Provisioning, null, "bench check: live readings on the console, nothing published (docs/field-guide.md)"),
            Row(NodeGroup, "node.group", KeyKind.Text, 1, 32, null, None, null, Provisioning, null, "the node's group for over-the-air updates: a release targeted at it (citynode ota --group) is taken (docs/ota.md)"),
        };

        /// <summary>The row of a key (or of its prefix), or -1: at most one pass over the table.</summary>
        public static int Find(string key)
        {
            for (int i = 0; i < All.Length; i++)
            {
                if (All[i].Matches(key))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The key of a slot (<c>Name(Sample)</c> is "sample").</summary>
        public static string Name(int slot)
        {
            return All[slot].Name;
        }

        /// <summary>Whether a remote configuration document may set this key.</summary>
        public static bool IsRemote(string key)
        {
            int row = Find(key);
            return row >= 0 && All[row].IsRemote;
        }

        private static ConfigKey Row(int slot, string name, KeyKind kind, long min, long max, string choices, long defaultNumber, string defaultText, int change, string unit, string doc)
        {
            if (slot != _rows++)
            {
                // Fails the type's initialisation, so every test and the first boot: a slot constant out of step with its row.
                throw new System.InvalidOperationException("config key " + name + ": slot " + slot.ToString() + " is row " + (_rows - 1).ToString());
            }

            return new ConfigKey(name, kind, min, max, choices, defaultNumber, choices != null ? Choice(choices) : defaultText, change, unit, doc);
        }

        // A choice's default is its first value: the table says it once.
        private static string Choice(string choices)
        {
            int bar = choices.IndexOf('|');
            return bar < 0 ? choices : choices.Substring(0, bar);
        }
    }
}
