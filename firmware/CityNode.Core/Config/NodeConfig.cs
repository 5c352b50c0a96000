using CityNode.Telemetry;

namespace CityNode.Config
{
    /// <summary>
    /// The node's configuration, read from <c>I:\citynode.conf</c> on the device and from the same
    /// text on the host, with one parser (<see cref="ConfigDocument"/>). Identity, network and
    /// sensor wiring come only from provisioning; the behaviour keys (<see cref="RemoteKeys"/>) may
    /// also arrive over MQTT. Every value is checked here, and a bad one is refused with its line
    /// and key: a node never runs on a half-understood file.
    /// </summary>
    public sealed class NodeConfig
    {
        public const int MinSampleSeconds = 10;
        public const int MaxIntervalSeconds = 86400;
        public const int MaxBatch = 1024;
        public const int MaxEarlyThresholds = 8;

        /// <summary>Keys (and key prefixes ending in '.') a remote configuration may set.</summary>
        public static readonly string[] RemoteKeys = new string[]
        {
            "config.version", "sample", "publish", "batch", "sensors", "low_battery_mv", "sleep", "early.", "calibration.",
            "delivery.ack", "delivery.resend",
        };

        private static readonly string[] ProvisionKeys = new string[]
        {
            "node.id", "board", "wifi.ssid", "wifi.password", "wifi.ip", "wifi.netmask", "wifi.gateway", "wifi.dns",
            "mqtt.broker", "mqtt.username", "mqtt.password", "mqtt.ca", "mqtt.client_cert", "mqtt.client_key",
            "mqtt.keepalive", "sensor.", "bench",
        };

        private readonly int[] _earlyChannel = new int[MaxEarlyThresholds];
        private readonly long[] _earlyMicro = new long[MaxEarlyThresholds];

        private NodeConfig(ConfigDocument document)
        {
            Document = document;
            SampleSeconds = 60;
            PublishSeconds = 900;
            Batch = 64;
            LowBatteryMillivolts = 3400;
            Sleep = "auto";
            Sensors = "all";
            KeepAliveSeconds = 60;
            Ack = "broker";
        }

        /// <summary>The document this configuration was read from (for sensor wiring and calibration).</summary>
        public ConfigDocument Document { get; private set; }

        public uint NodeId { get; private set; }

        public string Board { get; private set; }

        public int Version { get; private set; }

        public int SampleSeconds { get; private set; }

        /// <summary>Longest time between publishes: how fresh the backend's data is.</summary>
        public int PublishSeconds { get; private set; }

        /// <summary>Samples per batch: a full batch is sealed and published even before <see cref="PublishSeconds"/>.</summary>
        public int Batch { get; private set; }

        /// <summary>Below this battery voltage the node stretches its intervals.</summary>
        public int LowBatteryMillivolts { get; private set; }

        /// <summary>"auto" (the power policy chooses), "light" or "deep".</summary>
        public string Sleep { get; private set; }

        /// <summary>Enabled sensors: "all" or a comma-separated list of sensor names.</summary>
        public string Sensors { get; private set; }

        public string WifiSsid { get; private set; }

        public string WifiPassword { get; private set; }

        public string WifiIp { get; private set; }

        public string WifiNetmask { get; private set; }

        public string WifiGateway { get; private set; }

        public string WifiDns { get; private set; }

        public string MqttBroker { get; private set; }

        /// <summary>Whether <see cref="MqttBroker"/> is mqtts:// (TLS).</summary>
        public bool MqttTls { get { return MqttBroker != null && StartsWith(MqttBroker, "mqtts://"); } }

        /// <summary>Host of <see cref="MqttBroker"/>.</summary>
        public string MqttHost
        {
            get
            {
                string rest = MqttBroker.Substring(MqttTls ? 8 : 7);
                int colon = rest.IndexOf(':');
                return colon < 0 ? rest : rest.Substring(0, colon);
            }
        }

        /// <summary>Port of <see cref="MqttBroker"/> (8883 for TLS, 1883 otherwise, unless given).</summary>
        public int MqttPort
        {
            get
            {
                string rest = MqttBroker.Substring(MqttTls ? 8 : 7);
                int colon = rest.IndexOf(':');
                long port;
                return colon >= 0 && ValueParser.TryInteger(rest.Substring(colon + 1), 1, 65535, out port) ? (int)port : (MqttTls ? 8883 : 1883);
            }
        }

        public string MqttUsername { get; private set; }

        public string MqttPassword { get; private set; }

        public string MqttCa { get; private set; }

        public string MqttClientCert { get; private set; }

        public string MqttClientKey { get; private set; }

        public int KeepAliveSeconds { get; private set; }

        /// <summary>Bench check instead of normal life: live readings on the console, nothing published (docs/field-guide.md).</summary>
        public bool Bench { get; private set; }

        public int EarlyThresholdCount { get; private set; }

        /// <summary>Channel id of an early-publish threshold.</summary>
        public int EarlyChannel(int i)
        {
            return _earlyChannel[i];
        }

        /// <summary>Jump (micro-units) between two samples of that channel that publishes at once.</summary>
        public long EarlyMicro(int i)
        {
            return _earlyMicro[i];
        }

        /// <summary>True when a sensor of this name is enabled.</summary>
        public bool IsSensorEnabled(string name)
        {
            if (Sensors == "all")
            {
                return true;
            }

            string list = "," + Sensors + ",";
            return list.IndexOf("," + name + ",") >= 0;
        }

        /// <summary>The value of a calibration key (<c>calibration.NAME</c>), or null.</summary>
        public string Calibration(string name)
        {
            return Document.Get("calibration." + name);
        }

        /// <summary>Topic the node publishes its batches on.</summary>
        public string TelemetryTopic { get { return TopicFor(NodeId, "up"); } }

        /// <summary>
        /// What releases a batch from the node's flash (delivery.ack): <c>broker</c>, its PUBACK (the
        /// behaviour of every node before end-to-end acknowledgement, and of a backend without it), or
        /// <c>backend</c>, the receivers' acknowledgement on <see cref="AckTopic"/> (docs/reliability.md).
        /// </summary>
        public string Ack { get; private set; }

        public bool BackendAck { get { return Ack == "backend"; } }

        /// <summary>
        /// With delivery.ack = backend: seconds after which batches PUBACKed but not acknowledged are
        /// sent again (delivery.resend; default three publish windows).
        /// </summary>
        public int ResendSeconds { get { return _resendSeconds > 0 ? _resendSeconds : 3 * PublishSeconds; } }

        private int _resendSeconds;

        /// <summary>Retained topic where the backend acknowledges what it has stored of this node.</summary>
        public string AckTopic { get { return TopicFor(NodeId, "ack"); } }

        /// <summary>Retained topic holding the node's remote configuration.</summary>
        public string ConfigTopic { get { return TopicFor(NodeId, "config"); } }

        public static string TopicFor(uint nodeId, string leaf)
        {
            return "citynode/" + nodeId.ToString() + "/" + leaf;
        }

        /// <summary>Parses and validates a configuration file.</summary>
        public static NodeConfig Parse(string text)
        {
            return Load(ConfigDocument.Parse(text));
        }

        /// <summary>Validates a parsed document.</summary>
        public static NodeConfig Load(ConfigDocument doc)
        {
            NodeConfig c = new NodeConfig(doc);
            for (int i = 0; i < doc.Count; i++)
            {
                c.Apply(doc.Key(i), doc.Value(i), doc.Line(i));
            }

            if (c.NodeId == 0)
            {
                throw new ConfigException(0, "node.id", "required (a number from 1 to 4294967295)");
            }

            c.CheckSensorsWired();
            if (c.PublishSeconds < c.SampleSeconds)
            {
                int line = doc.Find("publish") >= 0 ? doc.Line(doc.Find("publish")) : 0;
                throw new ConfigException(line, "publish", "shorter than sample (" + ValueParser.FormatDuration(c.SampleSeconds) + ")");
            }

            return c;
        }

        /// <summary>
        /// Builds the configuration that results from a remote document: the keys it may set are
        /// merged over this one's, anything else refuses the whole document. Throws with the reason.
        /// </summary>
        public NodeConfig WithRemote(ConfigDocument remote)
        {
            // Over this configuration's own values: a remote document that leaves a key out keeps
            // the provisioned value, not the built-in default.
            ConfigDocument merged = new ConfigDocument();
            for (int i = 0; i < Document.Count; i++)
            {
                merged.Set(Document.Key(i), Document.Value(i));
            }

            bool hasVersion = false;
            for (int i = 0; i < remote.Count; i++)
            {
                string key = remote.Key(i);
                if (!IsRemoteKey(key))
                {
                    throw new ConfigException(remote.Line(i), key, "cannot be changed remotely (provisioning only)");
                }

                hasVersion |= key == "config.version";
                merged.Set(key, remote.Value(i));
            }

            if (!hasVersion)
            {
                throw new ConfigException(0, "config.version", "required in a remote configuration");
            }

            NodeConfig candidate;
            try
            {
                candidate = Load(merged);
            }
            catch (ConfigException e)
            {
                // Report the line of the remote document, not of the merged one.
                int at = remote.Find(e.Key);
                throw new ConfigException(at >= 0 ? remote.Line(at) : 0, e.Key, e.Problem);
            }

            if (candidate.Version <= Version)
            {
                throw new ConfigException(0, "config.version", candidate.Version.ToString() + " is not newer than " + Version.ToString());
            }

            return candidate;
        }

        public static bool IsRemoteKey(string key)
        {
            return Matches(RemoteKeys, key);
        }

        private static bool Matches(string[] list, string key)
        {
            for (int i = 0; i < list.Length; i++)
            {
                string k = list[i];
                if (k == key || (k[k.Length - 1] == '.' && key.Length > k.Length && key.Substring(0, k.Length) == k))
                {
                    return true;
                }
            }

            return false;
        }

        private void Apply(string key, string value, int line)
        {
            if (!Matches(RemoteKeys, key) && !Matches(ProvisionKeys, key))
            {
                throw new ConfigException(line, key, "unknown key");
            }

            long n;
            switch (key)
            {
                case "node.id":
                    NodeId = (uint)Integer(line, key, value, 1, uint.MaxValue);
                    return;
                case "config.version":
                    Version = (int)Integer(line, key, value, 0, int.MaxValue);
                    return;
                case "sample":
                    SampleSeconds = Duration(line, key, value, MinSampleSeconds, MaxIntervalSeconds);
                    return;
                case "publish":
                    PublishSeconds = Duration(line, key, value, MinSampleSeconds, MaxIntervalSeconds);
                    return;
                case "batch":
                    Batch = (int)Integer(line, key, value, 1, MaxBatch);
                    return;
                case "low_battery_mv":
                    LowBatteryMillivolts = (int)Integer(line, key, value, 2500, 5000);
                    return;
                case "mqtt.keepalive":
                    KeepAliveSeconds = Duration(line, key, value, 5, 3600);
                    return;
                case "bench":
                    if (value != "true" && value != "false")
                    {
                        throw new ConfigException(line, key, "'" + value + "': true or false");
                    }

                    Bench = value == "true";
                    return;
                case "delivery.ack":
                    if (value != "broker" && value != "backend")
                    {
                        throw new ConfigException(line, key, "'" + value + "' is not broker or backend");
                    }

                    Ack = value;
                    return;
                case "delivery.resend":
                    _resendSeconds = Duration(line, key, value, MinSampleSeconds, 7 * MaxIntervalSeconds);
                    return;
                case "sleep":
                    if (value != "auto" && value != "light" && value != "deep")
                    {
                        throw new ConfigException(line, key, "'" + value + "' is not auto, light or deep");
                    }

                    Sleep = value;
                    return;
                case "sensors":
                    Sensors = NameList(line, key, value);
                    return;
                case "board": Board = Text(line, key, value, 32); return;
                case "wifi.ssid": WifiSsid = Text(line, key, value, 32); return;
                case "wifi.password": WifiPassword = WpaPassphrase(line, key, value); return;
                case "wifi.ip": WifiIp = Address(line, key, value); return;
                case "wifi.netmask": WifiNetmask = Address(line, key, value); return;
                case "wifi.gateway": WifiGateway = Address(line, key, value); return;
                case "wifi.dns": WifiDns = Address(line, key, value); return;
                case "mqtt.broker": MqttBroker = BrokerUrl(line, key, value); return;
                case "mqtt.username": MqttUsername = Text(line, key, value, 64); return;
                case "mqtt.password": MqttPassword = Text(line, key, value, 128); return;
                case "mqtt.ca": MqttCa = Text(line, key, value, 128); return;
                case "mqtt.client_cert": MqttClientCert = Text(line, key, value, 128); return;
                case "mqtt.client_key": MqttClientKey = Text(line, key, value, 128); return;
            }

            if (key.Length > 6 && key.Substring(0, 6) == "early.")
            {
                string channel = key.Substring(6);
                int id = Channels.FromName(channel);
                if (id < 0)
                {
                    throw new ConfigException(line, key, "unknown channel '" + channel + "'");
                }

                if (!ValueParser.TryMicro(value, out n) || n <= 0)
                {
                    throw new ConfigException(line, key, "'" + value + "' is not a positive number");
                }

                if (EarlyThresholdCount >= MaxEarlyThresholds)
                {
                    throw new ConfigException(line, key, "more than " + MaxEarlyThresholds.ToString() + " early-publish thresholds");
                }

                _earlyChannel[EarlyThresholdCount] = id;
                _earlyMicro[EarlyThresholdCount] = n;
                EarlyThresholdCount++;
                return;
            }

            // sensor.* and calibration.* are read by the sensor factory and the drivers, which check them.
            if (value.Length == 0)
            {
                throw new ConfigException(line, key, "empty value");
            }
        }

        /// <summary>
        /// Every name in <c>sensors</c> must have its <c>sensor.NAME</c> line: a typo would otherwise
        /// switch a sensor off unnoticed (the list only filters the wired ones). Checked at boot and
        /// for every remote document, which is merged over the provisioned wiring.
        /// </summary>
        private void CheckSensorsWired()
        {
            if (Sensors == "all")
            {
                return;
            }

            int start = 0;
            while (start <= Sensors.Length)
            {
                int comma = Sensors.IndexOf(',', start);
                int end = comma < 0 ? Sensors.Length : comma;
                string name = Sensors.Substring(start, end - start);
                int line = Document.Line(Document.Find("sensors"));
                if (name.Length == 0)
                {
                    throw new ConfigException(line, "sensors", "empty name in '" + Sensors + "' (names separated by single commas)");
                }

                if (Document.Find("sensor." + name) < 0)
                {
                    throw new ConfigException(line, "sensors", "'" + name + "' is not wired on this node: no sensor." + name + " line (wired: " + WiredNames() + ")");
                }

                start = end + 1;
            }
        }

        private string WiredNames()
        {
            string names = string.Empty;
            for (int i = 0; i < Document.Count; i++)
            {
                string key = Document.Key(i);
                if (key.Length > 7 && key.Substring(0, 7) == "sensor.")
                {
                    names += (names.Length == 0 ? string.Empty : ", ") + key.Substring(7);
                }
            }

            return names.Length == 0 ? "none" : names;
        }

        /// <summary>
        /// A WPA2-Personal key as the ESP32's Wi-Fi driver takes it: a passphrase of 8 to 63
        /// printable ASCII characters, or the 256-bit PSK as 64 hex digits (IEEE 802.11i-2004 H.4.1;
        /// ESP-IDF wifi_sta_config_t.password). Anything else never joins.
        /// </summary>
        private static string WpaPassphrase(int line, string key, string value)
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

            return value;
        }

        private static long Integer(int line, string key, string value, long min, long max)
        {
            long n;
            if (!ValueParser.TryInteger(value, min, max, out n))
            {
                throw new ConfigException(line, key, "'" + value + "' is not a whole number from " + min.ToString() + " to " + max.ToString());
            }

            return n;
        }

        private static int Duration(int line, string key, string value, int min, int max)
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

            return (int)s;
        }

        private static string Text(int line, string key, string value, int max)
        {
            if (value.Length == 0 || value.Length > max)
            {
                throw new ConfigException(line, key, "must be 1 to " + max.ToString() + " characters");
            }

            return value;
        }

        private static string NameList(int line, string key, string value)
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

            return value;
        }

        private static string Address(int line, string key, string value)
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
                        return value;
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

        private static string BrokerUrl(int line, string key, string value)
        {
            if (!(StartsWith(value, "mqtt://") || StartsWith(value, "mqtts://")) || value.Length < 9 || value.Length > 128)
            {
                throw new ConfigException(line, key, "'" + value + "' is not a broker URL (mqtt://host[:port] or mqtts://host[:port])");
            }

            string rest = value.Substring(StartsWith(value, "mqtts://") ? 8 : 7);
            int colon = rest.IndexOf(':');
            long port;
            if (colon == 0 || rest.IndexOf('/') >= 0 || rest.IndexOf('@') >= 0 ||
                (colon > 0 && !ValueParser.TryInteger(rest.Substring(colon + 1), 1, 65535, out port)))
            {
                throw new ConfigException(line, key, "'" + value + "' is not a broker URL (mqtt://host[:port] or mqtts://host[:port]; credentials go in mqtt.username and mqtt.password)");
            }

            return value;
        }

        private static bool StartsWith(string s, string prefix)
        {
            return s.Length >= prefix.Length && s.Substring(0, prefix.Length) == prefix;
        }
    }
}
