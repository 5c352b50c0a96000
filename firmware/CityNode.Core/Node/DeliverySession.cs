using CityNode.Config;
using CityNode.Delivery;
using CityNode.Hal;
using CityNode.Storage;
using CityNode.Util;

namespace CityNode.Node
{
    /// <summary>
    /// One publish session and what it brings back: connect within the budget, seal what is buffered,
    /// subscribe to the node's config topic (and, end to end, its acknowledgement topic), publish the
    /// journal's pending batches, disconnect; then apply (or refuse) a configuration document that
    /// arrived. A refusal is reported in every batch's diagnostics until a document is applied, and
    /// the publisher's sent mark is kept, deep sleeps included (<see cref="Write"/>, <see cref="Read"/>).
    /// </summary>
    public sealed class DeliverySession
    {
        public const int ConnectTimeoutMs = 15000;
        public const int PublishBudgetMs = 20000;
        public const int InFlightWindow = 4;

        /// <summary>Characters of a refusal's reason kept over a deep sleep: the diagnostics text is "config: " + reason.</summary>
        public const int ReasonBytes = CityNode.Telemetry.NodeDiagnostics.MaxTextLength - 8;

        /// <summary>Bytes <see cref="Write"/> takes: the refused version, the reason's length and characters, the sent mark and its time, the backend's last acknowledged sequence, the resends and the CRC of the update state last published.</summary>
        public const int RecordBytes = 4 + 1 + ReasonBytes + 20;

        private readonly NodeServices _s;
        private readonly RemoteConfig _remote;

        public DeliverySession(NodeServices services, byte[] payloadBuffer, NodeConfig config)
        {
            _s = services;
            Publisher = new Publisher(services.Store, payloadBuffer, InFlightWindow);
            _remote = new RemoteConfig(config.ConfigTopic);
            if (services.Loader != null)
            {
                Ota = new OtaSession(services.Loader, services.Updater, config.NodeId, _remote);
            }

            Publisher.MessageSink = Ota != null ? (IMessageSink)Ota : _remote;
            Configure(config);
        }

        /// <summary>What releases batches (delivery.ack): set at boot, so that the first wake already knows what waits for the backend, and at each session.</summary>
        public void Configure(NodeConfig config)
        {
            Publisher.AcknowledgeOn(config.BackendAck ? config.AckTopic : null, config.ResendSeconds);
        }

        public Publisher Publisher { get; private set; }

        /// <summary>The update's part of each window (docs/ota.md); null on a node without update regions.</summary>
        public OtaSession Ota { get; private set; }

        /// <summary>A refused configuration to report: its version and reason.</summary>
        public bool ReportRejection { get; private set; }

        public int RejectedVersion
        {
            get { return _remote.RejectedVersion; }
        }

        public string RejectionReason
        {
            get { return _remote.Reason; }
        }

        /// <summary>Sessions that did not deliver everything (no network, broker refused, publish not acknowledged) since boot.</summary>
        public long Failures { get; private set; }

        /// <summary>Runs a session; true when everything pending was delivered. Radio time goes to <paramref name="phases"/>.</summary>
        public bool Run(NodeConfig config, BatchSealer sealer, PhaseAccount phases)
        {
            IClock clock = _s.Clock;
            IUplink uplink = _s.Uplink;
            long t0 = clock.MonotonicMs;
            UplinkStatus status = uplink.Connect(ConnectTimeoutMs);
            long t1 = clock.MonotonicMs;
            phases.Connecting(t1 - t0);
            bool delivered = false;
            Configure(config);
            if (status == UplinkStatus.Ok)
            {
                // Sealed only once connected: while offline the ring fills whole batches, which
                // cost less header per reading in the journal than one small batch per attempt.
                sealer.SealAll(config);

                // The retained configuration arrives right after SUBACK, so it is in hand by the
                // time the batches are acknowledged: reading it costs no extra radio time.
                uplink.Subscribe(config.ConfigTopic);
                if (config.BackendAck)
                {
                    uplink.Subscribe(config.AckTopic); // retained: what the backend has stored arrives before the first publish
                }
                if (Ota != null)
                {
                    Ota.Subscribe(uplink); // the retained manifest arrives while the batches go out
                }

                delivered = Publisher.Run(uplink, config.TelemetryTopic, clock, t1 + PublishBudgetMs);
                uplink.Poll(0, Publisher);
                if (Ota != null)
                {
                    Ota.Run(uplink, clock, Publisher); // after the batches: readings keep priority
                }

                uplink.Disconnect();
            }

            phases.Publishing(clock.MonotonicMs - t1);
            if (!delivered)
            {
                Failures++;
            }

            return delivered;
        }

        /// <summary>
        /// The configuration that arrived in the last session, checked against the provisioned one and
        /// persisted: null when none arrived or it was refused (then reported). <paramref name="restart"/>:
        /// it changes buffers or drivers, so the node must restart to use it.
        /// </summary>
        public NodeConfig TakeConfig(NodeConfig current, out bool restart)
        {
            NodeConfig next;
            RemoteConfigResult r = _remote.Apply(current, _s.ProvisionedConfig ?? current, _s.ConfigStore, out next);
            restart = r == RemoteConfigResult.AppliedAtRestart;
            if (r == RemoteConfigResult.Rejected)
            {
                ReportRejection = true;
            }

            if (r == RemoteConfigResult.Rejected || r == RemoteConfigResult.None)
            {
                return null;
            }

            ReportRejection = false;
            return next;
        }

        public void Write(byte[] r, int at)
        {
            LittleEndian.WriteUInt32(r, at, ReportRejection ? (uint)_remote.RejectedVersion : uint.MaxValue);
            string reason = ReportRejection ? _remote.Reason : string.Empty;
            int n = reason.Length < ReasonBytes ? reason.Length : ReasonBytes;
            r[at + 4] = (byte)n;
            for (int i = 0; i < ReasonBytes; i++)
            {
                r[at + 5 + i] = i < n ? (byte)reason[i] : (byte)0;
            }

            LittleEndian.WriteUInt32(r, at + 5 + ReasonBytes, Publisher.SentThrough);
            LittleEndian.WriteUInt32(r, at + 9 + ReasonBytes, (uint)Publisher.SentAt);
            LittleEndian.WriteUInt32(r, at + 13 + ReasonBytes, Publisher.BackendAcknowledged);
            LittleEndian.WriteUInt32(r, at + 17 + ReasonBytes, (uint)Publisher.Resent);
            LittleEndian.WriteUInt32(r, at + 21 + ReasonBytes, Ota != null ? Ota.StateCrc : 0);
        }

        public void Read(byte[] r, int at)
        {
            uint rejected = LittleEndian.ReadUInt32(r, at);
            if (rejected != uint.MaxValue && r[at + 4] <= ReasonBytes)
            {
                char[] reason = new char[r[at + 4]];
                for (int i = 0; i < reason.Length; i++)
                {
                    reason[i] = (char)r[at + 5 + i];
                }

                _remote.Restore((int)rejected, new string(reason));
                ReportRejection = true;
            }

            Publisher.RestoreSent(LittleEndian.ReadUInt32(r, at + 5 + ReasonBytes), LittleEndian.ReadUInt32(r, at + 9 + ReasonBytes),
                LittleEndian.ReadUInt32(r, at + 13 + ReasonBytes), LittleEndian.ReadUInt32(r, at + 17 + ReasonBytes));
            if (Ota != null)
            {
                Ota.StateCrc = LittleEndian.ReadUInt32(r, at + 21 + ReasonBytes);
            }
        }
    }
}
