using CityNode.Telemetry;

namespace CityNode.Config
{
    /// <summary>
    /// The node's configuration, read from <c>I:\citynode.conf</c> on the device and from the same
    /// text on the host, with one parser (<see cref="ConfigDocument"/>). Which keys exist, their
    /// ranges, defaults and whether a remote document may set them is the key table's
    /// (<see cref="ConfigKeys"/>); this class keeps the values and checks what spans keys. A bad
    /// value is refused with its line and key: a node never runs on a half-understood file.
    /// </summary>
    public sealed class NodeConfig
    {
        public const int MinSampleSeconds = ConfigKeys.MinSampleSeconds;
        public const int MaxIntervalSeconds = ConfigKeys.MaxIntervalSeconds;
        public const int MaxBatch = ConfigKeys.MaxBatch;
        public const int MaxEarlyThresholds = 8;

        // Values by the table's slots: numbers (durations in seconds, bools 0/1) and texts as the document holds them.
        private readonly long[] _numbers = new long[ConfigKeys.All.Length];
        private readonly string[] _texts = new string[ConfigKeys.All.Length];
        private readonly int[] _earlyChannel = new int[MaxEarlyThresholds];
        private readonly long[] _earlyMicro = new long[MaxEarlyThresholds];
        private BrokerUrl _broker;

        private NodeConfig(ConfigDocument document)
        {
            Document = document;
            for (int i = 0; i < ConfigKeys.All.Length; i++)
            {
                ConfigKey k = ConfigKeys.All[i];
                _numbers[i] = k.DefaultNumber;
                _texts[i] = k.DefaultText;
            }
        }

        /// <summary>The document this configuration was read from (for sensor wiring and calibration).</summary>
        public ConfigDocument Document { get; private set; }

        public uint NodeId { get { return _numbers[ConfigKeys.NodeId] < 0 ? 0 : (uint)_numbers[ConfigKeys.NodeId]; } }

        public string Board { get { return _texts[ConfigKeys.Board]; } }

        public int Version { get { return (int)_numbers[ConfigKeys.Version]; } }

        public int SampleSeconds { get { return (int)_numbers[ConfigKeys.Sample]; } }

        /// <summary>Longest time between publishes: how fresh the backend's data is.</summary>
        public int PublishSeconds { get { return (int)_numbers[ConfigKeys.Publish]; } }

        /// <summary>Samples per batch: a full batch is sealed and published even before <see cref="PublishSeconds"/>.</summary>
        public int Batch { get { return (int)_numbers[ConfigKeys.Batch]; } }

        /// <summary>Below this battery voltage the node stretches its intervals.</summary>
        public int LowBatteryMillivolts { get { return (int)_numbers[ConfigKeys.LowBattery]; } }

        /// <summary>"auto" (the power policy chooses), "light" or "deep".</summary>
        public string Sleep { get { return _texts[ConfigKeys.Sleep]; } }

        /// <summary>Enabled sensors: "all" or a comma-separated list of sensor names.</summary>
        public string Sensors { get { return _texts[ConfigKeys.Sensors]; } }

        public string WifiSsid { get { return _texts[ConfigKeys.WifiSsid]; } }

        public string WifiPassword { get { return _texts[ConfigKeys.WifiPassword]; } }

        public string WifiIp { get { return _texts[ConfigKeys.WifiIp]; } }

        public string WifiNetmask { get { return _texts[ConfigKeys.WifiNetmask]; } }

        public string WifiGateway { get { return _texts[ConfigKeys.WifiGateway]; } }

        public string WifiDns { get { return _texts[ConfigKeys.WifiDns]; } }

        public string MqttBroker { get { return _texts[ConfigKeys.MqttBroker]; } }

        /// <summary>Whether <see cref="MqttBroker"/> is mqtts:// (TLS).</summary>
        public bool MqttTls { get { return _broker != null && _broker.Tls; } }

        /// <summary>Host of <see cref="MqttBroker"/>.</summary>
        public string MqttHost { get { return _broker == null ? null : _broker.Host; } }

        /// <summary>Port of <see cref="MqttBroker"/> (8883 for TLS, 1883 otherwise, unless given).</summary>
        public int MqttPort { get { return _broker == null ? 0 : _broker.Port; } }

        public string MqttUsername { get { return _texts[ConfigKeys.MqttUsername]; } }

        public string MqttPassword { get { return _texts[ConfigKeys.MqttPassword]; } }

        public string MqttCa { get { return _texts[ConfigKeys.MqttCa]; } }

        public string MqttClientCert { get { return _texts[ConfigKeys.MqttClientCert]; } }

        public string MqttClientKey { get { return _texts[ConfigKeys.MqttClientKey]; } }

        public int KeepAliveSeconds { get { return (int)_numbers[ConfigKeys.KeepAlive]; } }

        /// <summary>Bench check instead of normal life: live readings on the console, nothing published (docs/field-guide.md).</summary>
        public bool Bench { get { return _numbers[ConfigKeys.Bench] != 0; } }

        /// <summary>The node's update group (node.group), or null: a manifest targeted at this group is the node's.</summary>
        public string NodeGroup { get { return _texts[ConfigKeys.NodeGroup]; } }

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
            return Document.Get(ConfigKeys.All[ConfigKeys.Calibration].Name + name);
        }

        /// <summary>
        /// What releases a batch from the node's flash (delivery.ack): <c>broker</c>, its PUBACK (the
        /// behaviour of every node before end-to-end acknowledgement, and of a backend without it), or
        /// <c>backend</c>, the receivers' acknowledgement on <see cref="AckTopic"/> (docs/reliability.md).
        /// </summary>
        public string Ack { get { return _texts[ConfigKeys.Ack]; } }

        public bool BackendAck { get { return Ack == "backend"; } }

        /// <summary>
        /// With delivery.ack = backend: seconds after which batches PUBACKed but not acknowledged are
        /// sent again (delivery.resend; default three publish windows).
        /// </summary>
        public int ResendSeconds { get { return _numbers[ConfigKeys.Resend] > 0 ? (int)_numbers[ConfigKeys.Resend] : 3 * PublishSeconds; } }

        // Built at the first session and kept: every delivery session asks for them again.
        private string _telemetryTopic;
        private string _ackTopic;
        private string _configTopic;

        /// <summary>Topic the node publishes its batches on.</summary>
        public string TelemetryTopic { get { return _telemetryTopic != null ? _telemetryTopic : (_telemetryTopic = Topics.Telemetry(NodeId)); } }

        /// <summary>Retained topic where the backend acknowledges what it has stored of this node.</summary>
        public string AckTopic { get { return _ackTopic != null ? _ackTopic : (_ackTopic = Topics.Ack(NodeId)); } }

        /// <summary>Retained topic holding the node's remote configuration.</summary>
        public string ConfigTopic { get { return _configTopic != null ? _configTopic : (_configTopic = Topics.Config(NodeId)); } }

        /// <summary>Parses and validates a configuration file.</summary>
        public static NodeConfig Parse(string text)
        {
            return Load(ConfigDocument.Parse(text));
        }

        /// <summary>Validates a parsed document: each line by its row of the table, then what spans keys.</summary>
        public static NodeConfig Load(ConfigDocument doc)
        {
            NodeConfig c = new NodeConfig(doc);
            for (int i = 0; i < doc.Count; i++)
            {
                c.Apply(doc.Key(i), doc.Value(i), doc.Line(i));
            }

            if (c.NodeId == 0)
            {
                ConfigKey id = ConfigKeys.All[ConfigKeys.NodeId];
                throw new ConfigException(0, id.Name, "required (a number from " + id.Min.ToString() + " to " + id.Max.ToString() + ")");
            }

            SensorList.CheckWired(c.Sensors, doc);
            if (c.PublishSeconds < c.SampleSeconds)
            {
                int at = doc.Find(ConfigKeys.All[ConfigKeys.Publish].Name);
                throw new ConfigException(at >= 0 ? doc.Line(at) : 0, ConfigKeys.All[ConfigKeys.Publish].Name, "shorter than sample (" + ValueParser.FormatDuration(c.SampleSeconds) + ")");
            }

            return c;
        }

        /// <summary>
        /// Builds the configuration that results from a remote document: the keys it may set (the
        /// table's remote rows) are merged over this one's, anything else refuses the whole document.
        /// Throws with the reason.
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

            string versionKey = ConfigKeys.All[ConfigKeys.Version].Name;
            bool hasVersion = false;
            for (int i = 0; i < remote.Count; i++)
            {
                string key = remote.Key(i);
                if (!IsRemoteKey(key))
                {
                    throw new ConfigException(remote.Line(i), key, "cannot be changed remotely (provisioning only)");
                }

                hasVersion |= key == versionKey;
                merged.Set(key, remote.Value(i));
            }

            if (!hasVersion)
            {
                throw new ConfigException(0, versionKey, "required in a remote configuration");
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
                throw new ConfigException(0, versionKey, candidate.Version.ToString() + " is not newer than " + Version.ToString());
            }

            return candidate;
        }

        /// <summary>Whether a remote document may set this key (<see cref="ConfigKey.Remote"/>).</summary>
        public static bool IsRemoteKey(string key)
        {
            return ConfigKeys.IsRemote(key);
        }

        /// <summary>The value of a number, duration (seconds) or bool (0/1) row by its slot (<see cref="ConfigKeys"/>); -1 when unset without default.</summary>
        public long NumberAt(int slot)
        {
            return _numbers[slot];
        }

        /// <summary>The value of a text-valued row by its slot, as the file holds it, or null.</summary>
        public string TextAt(int slot)
        {
            return _texts[slot];
        }

        /// <summary>Whether both configurations hold the same value in a row of the table.</summary>
        internal bool SameValue(NodeConfig other, int row)
        {
            return _numbers[row] == other._numbers[row] && _texts[row] == other._texts[row];
        }

        private void Apply(string key, string value, int line)
        {
            int row = ConfigKeys.Find(key);
            if (row < 0)
            {
                throw new ConfigException(line, key, "unknown key");
            }

            ConfigKey k = ConfigKeys.All[row];
            if (k.IsNumber)
            {
                _numbers[row] = KeyRules.Number(k, line, key, value);
                return;
            }

            if (k.Kind == KeyKind.Threshold)
            {
                long micro;
                int channel = KeyRules.Threshold(k, line, key, value, out micro);
                if (EarlyThresholdCount >= MaxEarlyThresholds)
                {
                    throw new ConfigException(line, key, "more than " + MaxEarlyThresholds.ToString() + " early-publish thresholds");
                }

                _earlyChannel[EarlyThresholdCount] = channel;
                _earlyMicro[EarlyThresholdCount] = micro;
                EarlyThresholdCount++;
                return;
            }

            if (k.Kind == KeyKind.Broker)
            {
                _broker = KeyRules.Broker(k, line, key, value);
            }
            else
            {
                KeyRules.Text(k, line, key, value);
            }

            if (!k.IsPrefix)
            {
                _texts[row] = value;
            }
        }
    }
}
