namespace CityNode.Telemetry
{
    /// <summary>
    /// Every MQTT topic of the system, built here and nowhere else: the node publishes and
    /// subscribes with these, the receiver and <c>citynode configure</c> use them, the embedded
    /// broker recognises telemetry by them and provisioning writes the broker's ACL from them
    /// (docs/receiver.md, docs/reliability.md).
    /// </summary>
    public static class Topics
    {
        /// <summary>First level of every topic.</summary>
        public const string Root = "citynode";

        /// <summary>Leaf of a node's telemetry batches (published by the node, QoS 1, never retained).</summary>
        public const string TelemetryLeaf = "up";

        /// <summary>Leaf of a node's remote configuration (retained, written by the backend).</summary>
        public const string ConfigLeaf = "config";

        /// <summary>Leaf of the backend's acknowledgement of what it stored of a node (retained).</summary>
        public const string AckLeaf = "ack";

        /// <summary>Leaf of a node's update manifest (retained, written by the backend only; docs/ota.md).</summary>
        public const string OtaLeaf = "ota";

        /// <summary>Leaf of a node's update state (retained, written by the node: key=value lines, docs/ota.md).</summary>
        public const string OtaStateLeaf = "ota/state";

        /// <summary>Second level of the release chunks, shared by the fleet: <c>citynode/ota/COUNTER/INDEX</c> (retained, written by the backend only).</summary>
        public const string OtaChunksLevel = "ota";

        /// <summary>MQTT's single-level wildcard (MQTT 3.1.1 §4.7.1.3): every node's topic of one leaf.</summary>
        public const string AnyNode = "+";

        /// <summary><c>citynode/ID/up</c>.</summary>
        public static string Telemetry(uint nodeId)
        {
            return For(nodeId.ToString(), TelemetryLeaf);
        }

        /// <summary><c>citynode/ID/config</c>.</summary>
        public static string Config(uint nodeId)
        {
            return For(nodeId.ToString(), ConfigLeaf);
        }

        /// <summary><c>citynode/ID/ack</c>.</summary>
        public static string Ack(uint nodeId)
        {
            return For(nodeId.ToString(), AckLeaf);
        }

        /// <summary><c>citynode/ID/ota</c>: the node's manifest.</summary>
        public static string Ota(uint nodeId)
        {
            return For(nodeId.ToString(), OtaLeaf);
        }

        /// <summary><c>citynode/ID/ota/state</c>: the node's update state.</summary>
        public static string OtaState(uint nodeId)
        {
            return For(nodeId.ToString(), OtaStateLeaf);
        }

        /// <summary><c>citynode/ota/COUNTER/INDEX</c>: one chunk of the release with that anti-rollback counter.</summary>
        public static string OtaChunk(uint counter, int index)
        {
            return Root + "/" + OtaChunksLevel + "/" + counter.ToString() + "/" + index.ToString();
        }

        /// <summary><c>citynode/ota/#</c>: every release chunk (what a node's ACL lets it read).</summary>
        public static string AllOtaChunks()
        {
            return Root + "/" + OtaChunksLevel + "/#";
        }

        /// <summary>Whether a topic is some node's update state (<c>citynode/X/ota/state</c>), the one topic a node publishes retained.</summary>
        public static bool IsOtaState(string topic)
        {
            int tail = topic.Length - OtaStateLeaf.Length - 1;
            return tail > Root.Length + 1 && Same(topic, 0, Root) && topic[Root.Length] == '/'
                && topic[tail] == '/' && Same(topic, tail + 1, OtaStateLeaf);
        }

        /// <summary>Whether a topic is a release chunk (<c>citynode/ota/...</c>), without allocating.</summary>
        public static bool IsOtaChunk(string topic)
        {
            int level = Root.Length + 1;
            return topic.Length > level + OtaChunksLevel.Length + 1 && Same(topic, 0, Root) && topic[Root.Length] == '/'
                && Same(topic, level, OtaChunksLevel) && topic[level + OtaChunksLevel.Length] == '/';
        }

        /// <summary>A filter for one leaf of every node (<c>citynode/+/up</c>).</summary>
        public static string AllNodes(string leaf)
        {
            return For(AnyNode, leaf);
        }

        /// <summary>Whether a topic is some node's telemetry topic (<c>citynode/X/up</c>), without allocating.</summary>
        public static bool IsTelemetry(string topic)
        {
            int tail = topic.Length - TelemetryLeaf.Length - 1;
            return topic.Length > Root.Length + TelemetryLeaf.Length + 2 &&
                Same(topic, 0, Root) && topic[Root.Length] == '/' &&
                topic[tail] == '/' && Same(topic, tail + 1, TelemetryLeaf);
        }

        /// <summary><c>citynode/NODE/LEAF</c> for a node written as text (a wildcard, or "ID" in help texts).</summary>
        public static string For(string node, string leaf)
        {
            return Root + "/" + node + "/" + leaf;
        }

        private static bool Same(string s, int at, string part)
        {
            if (at + part.Length > s.Length)
            {
                return false;
            }

            for (int i = 0; i < part.Length; i++)
            {
                if (s[at + i] != part[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
