using CityNode.Delivery;
using CityNode.Storage;

namespace CityNode.Config
{
    /// <summary>What became of a remote configuration document.</summary>
    public enum RemoteConfigResult
    {
        /// <summary>Nothing arrived, or the version is the one already applied (the retained document comes with every connection).</summary>
        None = 0,
        /// <summary>Applied now (intervals, thresholds, sleep, battery threshold).</summary>
        Applied = 1,
        /// <summary>Persisted; takes effect at the restart the node does next (batch size, sensors, calibration change the drivers and buffers).</summary>
        AppliedAtRestart = 2,
        /// <summary>Refused: see <see cref="RemoteConfig.Reason"/>; the last good configuration stays.</summary>
        Rejected = 3,
    }

    /// <summary>
    /// The node's side of remote configuration. The backend keeps a retained, versioned document
    /// on <c>citynode/ID/config</c> (same format and parser as the config file, only the keys in
    /// the table's remote rows, <see cref="ConfigKey.IsRemote"/>); the node subscribes at every connection, and after the
    /// session this decides: a newer, valid document is persisted (A/B in flash) and becomes the
    /// configuration; anything else is refused with a reason the next batch reports. Credentials,
    /// broker and wiring can never change this way: <see cref="NodeConfig.WithRemote"/> refuses
    /// provisioning keys.
    /// </summary>
    public sealed class RemoteConfig : IMessageSink
    {
        /// <summary>Longest remote document accepted (it lives in RAM until applied).</summary>
        public const int MaxBytes = 2048;

        private readonly byte[] _received = new byte[MaxBytes];
        private readonly string _topic;
        private int _length = -1;
        private bool _tooLong;

        public RemoteConfig(string topic)
        {
            _topic = topic;
        }

        /// <summary>Whether a document was refused since boot; its version (0 if it had none) and why.</summary>
        public bool HasRejection { get; private set; }

        public int RejectedVersion { get; private set; }

        public string Reason { get; private set; }

        /// <summary>Brings back a refusal saved before a deep sleep, so it is reported (and not re-evaluated) after the wake.</summary>
        public void Restore(int rejectedVersion, string reason)
        {
            HasRejection = true;
            RejectedVersion = rejectedVersion;
            Reason = reason;
        }

        public void OnMessage(string topic, byte[] payload, int offset, int count)
        {
            if (topic != _topic)
            {
                return;
            }

            _tooLong = count > MaxBytes;
            _length = _tooLong ? 0 : count;
            if (!_tooLong)
            {
                System.Array.Copy(payload, offset, _received, 0, count);
            }
        }

        /// <summary>
        /// Decides on what arrived during the session. A document holds all remote settings: it is
        /// merged over the <paramref name="provisioned"/> file (as at boot, see <see cref="Effective"/>),
        /// not over the running configuration. On success <paramref name="next"/> is the new
        /// configuration and it has been persisted to <paramref name="store"/> (when given).
        /// </summary>
        public RemoteConfigResult Apply(NodeConfig current, NodeConfig provisioned, ConfigStore store, out NodeConfig next)
        {
            next = current;
            int length = _length;
            _length = -1;
            if (length < 0)
            {
                return RemoteConfigResult.None;
            }

            if (length == 0)
            {
                // An empty retained message clears the topic; a too long one cannot be a config.
                return _tooLong ? Reject(0, "document longer than 2048 bytes") : RemoteConfigResult.None;
            }

            // Characters only for a document that arrived (rare): no 4 KB char buffer kept for it.
            char[] chars = new char[length];
            for (int i = 0; i < length; i++)
            {
                byte b = _received[i];
                if ((b < 0x20 || b > 0x7E) && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t')
                {
                    return Reject(0, "byte 0x" + b.ToString("X2") + " at offset " + i.ToString() + " is not printable ASCII");
                }

                chars[i] = (char)b;
            }

            string text = new string(chars, 0, length);
            ConfigDocument doc;
            try
            {
                doc = ConfigDocument.Parse(text);
            }
            catch (ConfigException e)
            {
                return Reject(0, e.Message);
            }

            int version = VersionOf(doc);
            if (version < 0)
            {
                return Reject(0, "config.version: required, a number from 1");
            }

            if (version <= current.Version || (HasRejection && version == RejectedVersion))
            {
                return RemoteConfigResult.None; // applied already, older, or refused already
            }

            NodeConfig candidate;
            try
            {
                candidate = provisioned.WithRemote(doc);
            }
            catch (ConfigException e)
            {
                return Reject(version, e.Message);
            }

            if (store != null && !store.Save(text))
            {
                return Reject(version, "could not persist to flash");
            }

            next = candidate;
            return NeedsRestart(current, candidate) ? RemoteConfigResult.AppliedAtRestart : RemoteConfigResult.Applied;
        }

        /// <summary>
        /// The configuration a node runs with: the provisioned one, with the persisted remote
        /// document over it if that is still newer (a re-provisioned node with a higher
        /// config.version wins) and still valid.
        /// </summary>
        public static NodeConfig Effective(NodeConfig provisioned, ConfigStore store)
        {
            string text = store == null ? null : store.Load();
            if (text == null)
            {
                return provisioned;
            }

            try
            {
                return provisioned.WithRemote(ConfigDocument.Parse(text));
            }
            catch (ConfigException)
            {
                return provisioned;
            }
        }

        /// <summary>
        /// Whether a change needs the restart the node does next: a key of the table's
        /// <see cref="ConfigKey.RemoteAtRestart"/> rows (batch size, sensors, calibration shape the
        /// buffers and drivers built at boot) differs.
        /// </summary>
        public static bool NeedsRestart(NodeConfig a, NodeConfig b)
        {
            for (int row = 0; row < ConfigKeys.All.Length; row++)
            {
                ConfigKey k = ConfigKeys.All[row];
                if (k.Change == ConfigKey.RemoteAtRestart && (k.IsPrefix ? PrefixDiffers(k, a.Document, b.Document) : !a.SameValue(b, row)))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool PrefixDiffers(ConfigKey k, ConfigDocument da, ConfigDocument db)
        {
            for (int i = 0; i < db.Count; i++)
            {
                string key = db.Key(i);
                if (k.Matches(key) && da.Get(key) != db.Value(i))
                {
                    return true;
                }
            }

            for (int i = 0; i < da.Count; i++)
            {
                if (k.Matches(da.Key(i)) && db.Find(da.Key(i)) < 0)
                {
                    return true;
                }
            }

            return false;
        }

        private static int VersionOf(ConfigDocument doc)
        {
            int at = doc.Find(ConfigKeys.All[ConfigKeys.Version].Name);
            long v;
            return at >= 0 && ValueParser.TryInteger(doc.Value(at), 1, int.MaxValue, out v) ? (int)v : -1;
        }

        private RemoteConfigResult Reject(int version, string reason)
        {
            if (HasRejection && version == RejectedVersion && reason == Reason)
            {
                return RemoteConfigResult.None; // the same retained document again: reported already
            }

            HasRejection = true;
            RejectedVersion = version;
            Reason = reason;
            return RemoteConfigResult.Rejected;
        }
    }
}
